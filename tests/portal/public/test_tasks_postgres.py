"""The task search on PostgreSQL: time zones, Unicode case folding, the window count and the statement count."""
import pytest

from tests.portal.public import test_tasks as on_sqlite
from tests.portal.public.test_tasks import school  # noqa: F401 - the fixture

pytestmark = pytest.mark.postgres

test_pg_weekday_and_part_of_day = on_sqlite.test_weekday_and_part_of_day_use_copenhagen_time_across_summer_time
test_pg_free_text_search = on_sqlite.test_free_text_search_covers_title_description_place_and_institution
test_pg_filters = on_sqlite.test_filters
test_pg_sorting_and_pages = on_sqlite.test_sorting_and_pages
test_pg_statement_count = on_sqlite.test_list_page_statement_count_does_not_grow_with_rows
