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
    ("/healthz", "GET"): everyone(),
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
    # audiences
    ("/mig/", "GET"): only("citizen"),
    ("/institution/", "GET"): only("staff"),
    ("/lokalraad/", "GET"): only("council"),
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
    ("/vagt/<token>/afbud", "GET"): everyone(404),
    ("/vagt/<token>/afbud", "POST"): everyone(404),
    ("/beskeder", "GET"): only("admin", "coordinator"),
    ("/beskeder/<int:message_id>/igen", "POST"): only("admin", "coordinator", ok=302),
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
}
