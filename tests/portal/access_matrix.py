"""The role matrix: every route, every role, the expected status. A route missing here fails the test.

Keys are (URL rule, method). Parameters in the rule are filled from the test world (see test_access).
"""
ROLES = ("anonymous", "citizen", "staff", "council", "coordinator", "admin")


def everyone(status=200):
    return {role: status for role in ROLES}


def anonymous_only(status=200):
    return {**everyone(302), "anonymous": status}


def logged_in(status=200):
    return {**everyone(status), "anonymous": 302}


def only(*roles, ok=200):
    expected = {**everyone(403), "anonymous": 302}
    expected.update({role: ok for role in roles})
    return expected


MATRIX = {
    # public
    ("/", "GET"): everyone(),
    ("/privatliv", "GET"): everyone(),
    ("/tilgaengelighed", "GET"): everyone(),
    ("/hjaelp", "GET"): everyone(),
    ("/hjaelp", "POST"): everyone(),
    ("/koordinator/hjaelp", "POST"): only("coordinator", ok=302),
    ("/healthz", "GET"): everyone(),
    # the municipality's identity: its colours, the favicon, its logo (none set in the test world)
    ("/tema.css", "GET"): everyone(),
    ("/favicon.ico", "GET"): everyone(),
    ("/kommune/logo", "GET"): everyone(404),
    ("/admin/kommune", "GET"): only("admin"),
    ("/admin/kommune", "POST"): only("admin"),
    ("/sprog", "POST"): everyone(302),
    # accounts
    ("/registrer", "GET"): anonymous_only(),
    ("/registrer", "POST"): anonymous_only(),
    ("/bekraeft/<token>", "GET"): everyone(302),
    ("/send-bekraeftelse-igen", "GET"): everyone(),
    ("/send-bekraeftelse-igen", "POST"): everyone(),
    ("/log-ind", "GET"): anonymous_only(),
    ("/log-ind", "POST"): anonymous_only(),
    ("/log-ud", "POST"): everyone(302),
    ("/glemt-adgangskode", "GET"): everyone(),
    ("/glemt-adgangskode", "POST"): everyone(),
    ("/nulstil-adgangskode/<token>", "GET"): everyone(302),
    ("/nulstil-adgangskode/<token>", "POST"): everyone(302),
    ("/skift-adgangskode", "GET"): logged_in(),
    ("/skift-adgangskode", "POST"): logged_in(),
    ("/log-ud-alle-steder", "POST"): everyone(302),
    ("/indstillinger/sikkerhed", "GET"): logged_in(),
    ("/indstillinger/sikkerhed/gendannelseskoder", "POST"): only(ok=403),  # no second factor set up
    ("/admin/brugere/<int:user_id>/andet-trin", "POST"): only("admin", ok=302),
    # OpenID Connect log-in: not configured in these tests, so there is no provider to go to
    ("/log-ind/oidc/<slug>", "GET"): everyone(404),
    ("/log-ind/oidc/<slug>/callback", "GET"): everyone(404),
    ("/log-ind/oidc/borger/velkommen", "GET"): everyone(302),  # no first MitID log-in waiting
    ("/log-ind/oidc/borger/velkommen", "POST"): everyone(302),
    # every test session has shown its second factor already, so these pages send it onward
    ("/log-ind/andet-trin", "GET"): everyone(302),
    ("/log-ind/andet-trin", "POST"): everyone(302),
    ("/log-ind/andet-trin/opsaet", "GET"): everyone(302),
    ("/log-ind/andet-trin/opsaet", "POST"): everyone(302),
    # audiences
    ("/mig/", "GET"): only("citizen"),
    # finding tasks, signing up, the citizen's profile and tasks (a sign-up of someone else: 404)
    ("/opgaver", "GET"): everyone(),
    ("/opgaver/<int:task_id>", "GET"): everyone(),
    ("/opgaver/<int:task_id>/tilmeld", "GET"): only("citizen", ok=302),  # no time chosen: back to the task
    ("/opgaver/<int:task_id>/tilmeld", "POST"): only("citizen", ok=302),
    ("/mine-opgaver/tilmeldt/<int:task_id>", "GET"): only("citizen", ok=302),  # nothing signed up: to my tasks
    ("/mine-opgaver/<int:signup_id>/afmeld", "GET"): only("citizen", ok=404),
    ("/mine-opgaver/<int:signup_id>/afmeld", "POST"): only("citizen", ok=404),
    ("/mine-opgaver", "GET"): only("citizen"),
    ("/mine-opgaver/kalender", "POST"): only("citizen", ok=302),
    ("/mine-opgaver/<int:task_id>.ics", "GET"): only("citizen", ok=404),
    ("/mine-opgaver/bevis", "GET"): only("citizen"),
    ("/mine-opgaver/navneskilt", "GET"): only("citizen"),
    ("/kalender/<token>.ics", "GET"): everyone(404),
    ("/min-profil", "GET"): only("citizen"),
    ("/min-profil", "POST"): only("citizen"),  # an empty post re-renders with "choose what you offer"
    ("/institution/", "GET"): only("staff"),
    # the task editor and the institution's view of a task (the world's task is open, its sign-up accepted)
    ("/institution/opgaver/ny", "GET"): only("staff"),
    ("/institution/opgaver/ny", "POST"): only("staff"),  # empty: re-rendered with messages
    ("/institution/opgaver/<int:task_id>", "GET"): only("staff"),
    ("/institution/opgaver/<int:task_id>/rediger", "GET"): only("staff"),
    ("/institution/opgaver/<int:task_id>/rediger", "POST"): only("staff"),  # empty: re-rendered with messages
    ("/institution/opgaver/<int:task_id>/offentliggoer", "POST"): only("staff", ok=302),  # already published
    ("/institution/opgaver/<int:task_id>/luk", "POST"): only("staff", ok=302),  # unconfirmed: nothing happens
    ("/institution/opgaver/<int:task_id>/aflys", "GET"): only("staff"),
    ("/institution/opgaver/<int:task_id>/aflys", "POST"): only("staff"),  # no reason: re-rendered
    ("/institution/opgaver/<int:task_id>/besked", "GET"): only("staff"),
    ("/institution/opgaver/<int:task_id>/besked", "POST"): only("staff"),  # empty: re-rendered
    ("/institution/tilmeldinger/<int:signup_id>/accepter", "POST"): only("staff", ok=302),  # not pending
    ("/institution/tilmeldinger/<int:signup_id>/afvis", "GET"): only("staff", ok=302),  # not pending
    ("/institution/tilmeldinger/<int:signup_id>/afvis", "POST"): only("staff", ok=302),
    ("/institution/gange/<int:occurrence_id>/fremmoede", "GET"): only("staff"),
    ("/institution/gange/<int:occurrence_id>/fremmoede", "POST"): only("staff"),  # not started: shown again
    ("/institution/opgaver/<int:task_id>/forslag", "GET"): only("staff", "coordinator"),  # matching
    ("/institution/opgaver/<int:task_id>/inviter/<int:user_id>", "POST"): only("staff", "coordinator", ok=302),
    ("/lokalraad/", "GET"): only("council"),
    # councils: projects (members of the project's own council only), the shared calendar
    ("/lokalraad/projekter/ny", "GET"): only("council"),
    ("/lokalraad/projekter/ny", "POST"): only("council"),
    ("/lokalraad/projekter/<int:project_id>", "GET"): only("council"),
    ("/lokalraad/projekter/<int:project_id>", "POST"): only("council"),
    ("/lokalraad/projekter/<int:project_id>/opdatering", "POST"): only("council"),
    ("/lokalraad/projekter/<int:project_id>/kobl", "POST"): only("council"),
    ("/lokalraad/projekter/<int:project_id>/fjern", "POST"): only("council", ok=302),
    ("/lokalraad/projekter/<int:project_id>/inviter", "POST"): only("council", ok=302),
    # citizen budgets (the world's budget has its result published; the council member sits on its council)
    ("/borgerbudgetter", "GET"): everyone(),
    ("/borgerbudgetter/<int:budget_id>", "GET"): everyone(),
    ("/borgerbudgetter/<int:budget_id>/stem", "POST"): logged_in(400),          # not in its voting phase
    ("/borgerbudgetter/<int:budget_id>/forslag", "POST"): logged_in(400),       # empty form
    ("/borgerbudgetter/forslag/<int:proposal_id>/deltag", "POST"): everyone(302),
    ("/borgerbudgetter/<int:budget_id>/resultat", "GET"): everyone(),
    ("/borgerbudgetter/<int:budget_id>/resultat.json", "GET"): everyone(),
    ("/borgerbudgetter/<int:budget_id>/resultat.csv", "GET"): everyone(),
    ("/borgerbudgetter/ny", "GET"): only("council", "coordinator", "admin"),
    ("/borgerbudgetter/ny", "POST"): only("council", "coordinator", "admin", ok=400),
    ("/borgerbudgetter/<int:budget_id>/styr", "GET"): only("council", "coordinator", "admin"),
    ("/borgerbudgetter/<int:budget_id>/fase", "POST"): only("council", "coordinator", "admin", ok=302),
    ("/borgerbudgetter/forslag/<int:proposal_id>/vurder", "POST"): only("council", "coordinator", "admin", ok=400),
    ("/borgerbudgetter/forslag/<int:proposal_id>/flet", "POST"): only("council", "coordinator", "admin", ok=302),
    ("/borgerbudgetter/<int:budget_id>/lever", "POST"): only("council", "coordinator", "admin", ok=302),
    ("/borgerbudgetter/forslag/<int:proposal_id>/forbrug", "POST"): only("council", "coordinator", "admin", ok=302),
    ("/borgerbudgetter/<int:budget_id>/medbetjening", "GET"): only("coordinator"),
    ("/borgerbudgetter/<int:budget_id>/medbetjening", "POST"): only("coordinator", ok=400),
    # development plans (the council member sits on the plan's council) and dialogue meetings
    ("/udviklingsplaner/<int:council_id>", "GET"): everyone(),
    ("/udviklingsplaner/<int:council_id>/versioner/<int:version>", "GET"): everyone(),
    ("/udviklingsplaner/<int:council_id>/rediger", "GET"): only("council", "coordinator", "admin"),
    ("/udviklingsplaner/<int:council_id>/rediger", "POST"): only("council", "coordinator", "admin", ok=400),
    ("/dialogmoeder", "GET"): everyone(),
    ("/dialogmoeder", "POST"): only("coordinator", "admin", ok=400),
    ("/dialogmoeder/<int:meeting_id>", "GET"): everyone(),
    ("/dialogmoeder/<int:meeting_id>/referat", "POST"): only("coordinator", "admin", ok=302),
    ("/dialogmoeder/<int:meeting_id>/opfoelgning", "POST"): only("coordinator", "admin", ok=400),
    ("/dialogmoeder/opfoelgning/<int:item_id>/svar", "POST"): only("coordinator", "admin", ok=400),
    ("/projekter", "GET"): everyone(),
    ("/projekter/<int:project_id>", "GET"): everyone(),
    ("/projekter/<int:project_id>/foelg", "POST"): everyone(302),
    ("/projekter/<int:project_id>/stop", "POST"): everyone(302),
    ("/projekter/opdateringer/<int:update_id>/kommentar", "POST"): logged_in(),  # empty: re-rendered with errors
    ("/kalender", "GET"): everyone(),
    ("/kalender/<int:event_id>", "GET"): everyone(),
    ("/kalender/<int:event_id>/arrangement.ics", "GET"): everyone(),
    ("/kalender/alle.ics", "GET"): everyone(),
    ("/kalender/raad/<int:council_id>.ics", "GET"): everyone(),
    ("/kalender/<int:event_id>/tilmeld", "POST"): everyone(302),
    ("/kalender/<int:event_id>/afmeld", "POST"): everyone(302),
    ("/kalender/nyt", "GET"): only("council", "staff"),
    ("/kalender/nyt", "POST"): only("council", "staff"),
    ("/kalender/<int:event_id>/rediger", "GET"): only("council"),  # staff of another host: 403
    ("/kalender/<int:event_id>/rediger", "POST"): only("council"),
    ("/kalender/<int:event_id>/deltagere", "GET"): only("council"),
    ("/kalender/<int:event_id>/aflys", "POST"): only("council", ok=302),
    ("/koordinator/", "GET"): only("coordinator"),
    # coordinators: review, screening, audit log, assisted sign-up, overview, exports
    ("/koordinator/profiler", "GET"): only("coordinator"),
    ("/koordinator/profiler/<int:profile_id>", "GET"): only("coordinator"),
    ("/koordinator/profiler/<int:profile_id>/afgoerelse", "POST"): only("coordinator"),  # no decision: re-rendered
    ("/koordinator/profiler/<int:profile_id>/note", "POST"): only("coordinator", ok=302),  # an empty note is saved
    ("/koordinator/profiler/<int:profile_id>/screening", "POST"): only("coordinator"),  # no status: re-rendered
    ("/koordinator/profiler/<int:profile_id>/log", "GET"): only("coordinator"),
    ("/koordinator/afventer", "GET"): only("coordinator"),
    ("/koordinator/ring-til", "GET"): only("coordinator"),
    ("/koordinator/medbetjening", "GET"): only("coordinator"),
    ("/koordinator/medbetjening/ny", "GET"): only("coordinator"),
    ("/koordinator/medbetjening/ny", "POST"): only("coordinator"),
    ("/koordinator/medbetjening/<int:user_id>", "GET"): only("coordinator"),
    ("/koordinator/medbetjening/<int:user_id>", "POST"): only("coordinator"),
    ("/koordinator/overblik", "GET"): only("coordinator"),
    ("/koordinator/eksport", "GET"): only("coordinator"),
    ("/koordinator/eksport/opgaver.csv", "GET"): only("coordinator"),
    ("/koordinator/eksport/tilmeldinger.csv", "GET"): only("coordinator"),
    ("/koordinator/eksport/timer.csv", "GET"): only("coordinator"),
    ("/koordinator/eksport/overblik.csv", "GET"): only("coordinator"),
    ("/min-profil/indsigt", "GET"): only("citizen"),
    # privacy rights
    ("/mig/data", "GET"): logged_in(),
    ("/mig/data", "POST"): logged_in(),
    ("/mig/slet", "GET"): logged_in(),
    ("/mig/slet", "POST"): logged_in(),
    # mail: settings, links from e-mails (the world's token is invalid: 404), message log
    ("/indstillinger/mails", "GET"): logged_in(),
    ("/indstillinger/mails", "POST"): logged_in(302),  # an empty post saves "all optional mails off"
    ("/indstillinger/mails/<token>", "GET"): everyone(404),
    ("/indstillinger/mails/<token>", "POST"): everyone(404),
    ("/afmeld/<token>", "GET"): everyone(404),
    ("/afmeld/<token>", "POST"): everyone(404),
    ("/vagt/<token>", "GET"): everyone(404),
    ("/vagt/<token>", "POST"): everyone(404),
    ("/vagt/<token>/afbud", "GET"): everyone(404),
    ("/vagt/<token>/afbud", "POST"): everyone(404),
    ("/beskeder", "GET"): only("admin", "coordinator"),
    ("/beskeder/<int:message_id>/igen", "POST"): only("admin", "coordinator", ok=302),
    # ideas (only the initiator and co-owners edit, close, call meetings: a coordinator cannot rewrite an idea)
    ("/ideer/", "GET"): everyone(),
    ("/ideer/ny", "GET"): logged_in(),
    ("/ideer/ny", "POST"): logged_in(),  # an empty form is shown again with its errors
    ("/ideer/mine", "GET"): logged_in(),
    ("/ideer/<int:idea_id>", "GET"): everyone(),
    ("/ideer/<int:idea_id>/rediger", "GET"): logged_in(403),
    ("/ideer/<int:idea_id>/rediger", "POST"): logged_in(403),
    ("/ideer/<int:idea_id>/afslut", "POST"): logged_in(403),
    ("/ideer/<int:idea_id>/moede", "POST"): logged_in(403),
    ("/ideer/<int:idea_id>/medejer/<int:co_creator_id>", "POST"): logged_in(403),
    ("/ideer/<int:idea_id>/vaer-med", "POST"): logged_in(),  # an empty offer is shown again with its error
    ("/ideer/<int:idea_id>/svar", "POST"): only("coordinator"),
    ("/ideer/<int:idea_id>/sparringsagent", "POST"): only("coordinator"),
    ("/ideer/<int:idea_id>/find-folk", "POST"): logged_in(403),  # only the idea's owners ask
    ("/ideer/<int:idea_id>/inviter/<int:user_id>", "POST"): only("coordinator", ok=302),  # the initiator: refused
    # one report form for ideas, project updates and comments (an empty report is shown again with its error)
    ("/ideer/anmeld/<target_kind>/<int:target_id>", "GET"): logged_in(),
    ("/ideer/anmeld/<target_kind>/<int:target_id>", "POST"): logged_in(),
    ("/ideer/svartider", "GET"): only("coordinator"),
    ("/ideer/svartider/temaer", "POST"): only("coordinator", ok=302),
    ("/ideer/moderering", "GET"): only("coordinator"),
    ("/ideer/moderering/<target_kind>/<int:target_id>", "POST"): only("coordinator"),
    # administration
    ("/admin/", "GET"): only("admin"),
    ("/admin/institutioner", "GET"): only("admin"),
    ("/admin/institutioner/ny", "GET"): only("admin"),
    ("/admin/institutioner/ny", "POST"): only("admin"),
    ("/admin/institutioner/<int:institution_id>", "GET"): only("admin"),
    ("/admin/institutioner/<int:institution_id>", "POST"): only("admin", ok=302),  # an empty post re-saves the unchanged object
    ("/admin/raad", "GET"): only("admin"),
    ("/admin/raad/ny", "GET"): only("admin"),
    ("/admin/raad/ny", "POST"): only("admin"),
    ("/admin/raad/<int:council_id>", "GET"): only("admin"),
    ("/admin/raad/<int:council_id>", "POST"): only("admin", ok=302),  # an empty post re-saves the unchanged object
    ("/admin/brugere", "GET"): only("admin"),
    ("/admin/brugere/<int:user_id>", "GET"): only("admin"),
    ("/admin/brugere/<int:user_id>", "POST"): only("admin"),
    ("/admin/brugere/<int:user_id>/status", "POST"): only("admin", ok=302),
    # networks: public pages; joining is for anyone logged in (twice changes nothing); the tovholder (here
    # someone else) and coordinators plan meetings and publish minutes; coordinators answer items
    ("/netvaerk", "GET"): everyone(),
    ("/netvaerk/<int:network_id>", "GET"): everyone(),
    ("/netvaerk/<int:network_id>/deltag", "POST"): everyone(302),
    ("/netvaerk/<int:network_id>/forlad", "POST"): everyone(302),
    ("/netvaerk/<int:network_id>/moeder", "POST"): only("coordinator", ok=400),  # empty form
    ("/netvaerk/moeder/<int:meeting_id>/referat", "POST"): only("coordinator", ok=302),  # empty: told, back
    ("/netvaerk/<int:network_id>/punkter", "POST"): only("coordinator", ok=400),  # members and leaders only
    ("/netvaerk/punkter/<int:item_id>/svar", "POST"): only("coordinator", ok=302),
    ("/koordinator/netvaerk", "GET"): only("coordinator"),
    ("/koordinator/netvaerk", "POST"): only("coordinator", ok=400),
    # organisations' public pages; staff edit their own institution's page (the world's staff works there)
    ("/institutioner/<int:institution_id>", "GET"): everyone(),
    ("/institutioner/<int:institution_id>/profil", "GET"): only("staff", "coordinator"),
    ("/institutioner/<int:institution_id>/profil", "POST"): only("staff", "coordinator", ok=302),
    ("/institutioner/<int:institution_id>/hold/ny", "GET"): only("staff", "coordinator"),
    ("/institutioner/<int:institution_id>/hold/ny", "POST"): only("staff", "coordinator", ok=400),
    # associations: the staff user is not on this association's board
    ("/foreninger", "GET"): everyone(),
    ("/foreninger/<int:association_id>", "GET"): everyone(),
    ("/foreninger/ny", "GET"): logged_in(),
    ("/foreninger/ny", "POST"): logged_in(400),
    ("/foreninger/<int:association_id>/behov", "POST"): only("coordinator", ok=400),
    ("/foreninger/behov/<int:need_id>/tilbyd", "POST"): logged_in(302),
    # teams: the tovholder is someone else; the staff of the team's institution and coordinators lead too;
    # only members answer shifts and confirm places
    ("/hold/<int:team_id>", "GET"): everyone(),
    ("/hold/<int:team_id>/bliv-medlem", "POST"): only("citizen", ok=400),  # no consent given
    ("/hold/<int:team_id>/forlad", "POST"): only("citizen", ok=302),
    ("/hold/<int:team_id>/vagter", "POST"): only("staff", "coordinator", ok=400),
    ("/hold/vagter/<int:shift_id>/svar", "POST"): only(ok=403),
    ("/hold/<int:team_id>/besked", "POST"): only("staff", "coordinator", ok=400),
    ("/hold/<int:team_id>/moede", "POST"): only("staff", "coordinator", ok=400),
    ("/hold/<int:team_id>/tilmeld", "POST"): only("staff", "coordinator", ok=400),
    ("/hold/tilmelding/<int:team_signup_id>/bekraeft", "POST"): only(ok=403),
    ("/hold/vagter/<int:shift_id>/spoerg", "POST"): only("staff", "coordinator", ok=302),  # no member chosen: told
    ("/foreninger/behov/<int:need_id>/daekket", "POST"): only("coordinator", ok=302),  # staff: not on this board
    ("/koordinator/foreningstilbud", "GET"): only("coordinator"),
    ("/koordinator/foreningstilbud", "POST"): only("coordinator", ok=400),
}
