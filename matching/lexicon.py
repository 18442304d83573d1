"""Word lists for the Danish analysis: stop words, seed compound parts and the English↔Danish skill lexicon."""
from __future__ import annotations

# Snowball's Danish stop list (94 words) as shipped with Snowball/NLTK. "have" is removed
# before use because it is also the noun *garden* ("havearbejde", "fælleshaven").
SNOWBALL_DANISH_STOP_WORDS = (
    "og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi "
    "min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her "
    "alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit "
    "også under have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive "
    "mange ad bliver hendes været thi jer sådan"
).split()

DANISH_STOP_WORDS = frozenset(SNOWBALL_DANISH_STOP_WORDS) - {"have"}

# Profile filler that carries no skill ("jeg kan godt lide at ...").
DANISH_FILLER_WORDS = frozenset("kan gerne godt lide bare rigtig lidt".split())

# Deliberately small, and without "it" (IT-hjælp), "have" (garden) and one-letter words other than "a".
ENGLISH_STOP_WORDS = frozenset("""
a an the and or but if of to in on at by for with from as into about than then so too very is are
was were be been being am do does did has had i me my we us our you your he him his she her they
them their this that these those there here what which who whom when where why how all any both each
other some such no not only own same just can will would should could may might must also like love
enjoy happy want really much lot etc
""".split())

# Parts that should be recognised inside compounds even when a corpus never uses them alone.
SEED_PARTS = """
aften alder arbejde arrangement aktivitet affald avis bad bager bande barn bedste besøg beboer bibliotek
bil billede blomst bog bold bord borger brød bus butik by bænk bøger børn café cykel dag dans dansk
dreng dyr dør ekspert el elev fag familie far fest film fisk fiske fod folk forening forsamling
fortælle frivillig fritid frokost fugl første fællesskab gade gave glas gruppe gymnastik gård
hal hav have hjem hjælp hold hus hygge højt idræt indkøb instruktør it job jul kaffe kage kirke
klasse klub kok kommune kontor kor kort krop kunst kursus køkken kørsel kørestol land lege legeplads
lektie liv lokal luft lys læse læsning lærer mad maler marked medborger menneske miljø mor motion
musik møde natur nabo nat netværk nyhed områder ord park pige pleje plads plante projekt rejse
råd samtale sang senior skak skole skov skrive snak spil sport sprog sted stol strand strikke
stue sundhed svømme sy syge tag tale team teater tegne tid time tog træ træner træning tur tøj
uge ung ungdom vand vej ven verden værksted værk ældre år æble øve kvinde mand sommer ferie vinter
pligt vejleder maskine vogn skur
""".split()

# English forms (comma-separated; phrases allowed) : Danish words they should meet.
SKILL_LEXICON_TEXT = """
garden, gardens, gardening, gardener, allotment : havearbejde have haven
plants, planting, flowers, vegetables, weeding, growing : planter blomster grøntsager luge
reading, read, reader, books, book, read aloud, reading aloud, aloud : læse højtlæsning bøger læsning
storytelling, stories, story, storyteller : historier fortælle historiefortælling
cooking, cook, chef, meals, meal, kitchen, catering : madlavning kok mad køkken
baking, bake, baker, cakes, cake, bread : bagning bage kager brød bager
driving, drive, driver, car, chauffeur, transport : kørsel køre chauffør bil kørekort
minibus, bus, van : minibus bus
computer, computers, pc, laptop, tablet, ipad, smartphone, smartphones, phone, phones, digital : it computer tablet smartphone mobiltelefon
internet, email, e-mail, technology, tech, it support, tech support, software : it internet computer
website, websites, web, wordpress, social media, facebook, instagram : hjemmeside sociale medier
homework, homework help, tutoring, tutor : lektier lektiehjælp
math, maths, mathematics : matematik
physics, chemistry, science : fysik kemi
teaching, teach, teacher, lessons, instructor, instruct : undervise lærer undervisning instruktør
football, soccer : fodbold
coach, coaching, trainer : træner træning
training, exercise, fitness, gym : træning motion
sports, sport, athletics : sport idræt
music, musician, musical, instrument, instruments : musik musiker
guitar, guitarist : guitar
piano, pianist, keyboard : klaver pianist
singing, sing, singer, choir, songs, song : sang synge kor fællessang
knitting, knit, knitter, crochet, crocheting, yarn : strikning strikke hækle garn
sewing, sew, seamstress, dressmaking, tailoring, sewing machine, mending : syning sy symaskine
costumes, costume : kostumer
elderly, elders, seniors, senior, older people, old people, pensioners, aged, older : ældre seniorer
nursing home, care home, care homes : plejehjem plejecenter
visiting, visit, visitor, visits, befriending, befriender, companionship, company : besøg besøgsven selskab
lonely, loneliness, isolated : ensom ensomme
children, child, kids, kid, youth, young people, teenagers, youngsters : børn unge
kindergarten, preschool, nursery, daycare : børnehave
school, pupils, students, schoolchildren : skole elever
wheelchair, wheelchairs : kørestol kørestole
repair, repairs, repairing, fix, fixing, mechanic, maintenance, tools, handyman : reparere reparation mekaniker værktøj
bike, bikes, bicycle, bicycles, cycling, cyclist, cycle, bike rides, bike ride : cykel cykle cykling cykeltur
rickshaw : rickshaw
walking, walk, walks, hiking, hike, strolls : gåtur gå ture
trips, trip, outings, excursions, rides : ture tur udflugter
swimming, swim, swimmer, lifeguard, pool : svømning svømme svømmer livredder
fishing, fish, angler, angling, fishing trip, fishing trips : fiskeri fiske fisketur lystfisker
chess : skak
board games, games, game, cards, card games, playing cards, bingo : brætspil spil kortspil kort banko
playing, play : spille lege
dance, dancing, dancer, line dance, line dancing : dans danse danseinstruktør
photography, photographer, photos, photo, camera, pictures, photographs : fotografering fotograf billeder fotografere
first aid, cpr, defibrillator, paramedic : førstehjælp hjertestarter
nurse, nursing, healthcare : sygeplejerske
carpentry, carpenter, woodwork, woodworking, joiner, building : tømrer snedker bygge
painting, paint, painter, decorating, decorator, brushes : maling male maler pensel
drawing, artist, watercolour, watercolor, watercolours, sketching : tegne kunst akvarel
crafts, handicraft, creative : kreativ håndarbejde
accounting, accountant, bookkeeping, bookkeeper, treasurer, finance, finances, budget, budgets, accounts, excel, auditor : regnskab kasserer bogføring bogholder økonomi budget
translation, translate, translating, translator, interpreter, interpreting : oversættelse oversætte tolk
languages, language, conversation : sprog samtale
danish : dansk
english : engelsk
arabic : arabisk
ukrainian : ukrainsk ukrainske
persian, farsi, dari : farsi dari
somali : somali
german : tysk
refugees, refugee, immigrants, newcomers, asylum : flygtninge indvandrere
families, family : familie familier
disability, disabilities, disabled, handicap, handicapped : handicap
dementia : demens demente
nature, outdoors, forest, woods, birds, insects, wildlife, biologist, conservation : natur skov fugle insekter
litter, rubbish, trash, garbage, clean up, cleanup, waste : affald skrald oprydning
food waste : madspild overskudsmad
environment, environmental, climate : miljø klima
christmas : jul juleaften julen
coffee : kaffe
library, libraries : bibliotek
church : kirke
theatre, theater, drama : teater
museum, museums, concerts, concert, culture : museum koncerter kultur
shopping, groceries : indkøb
events, event, party, festival : arrangementer fest
newsletter, writing, writer : nyhedsbrev skrive
electrician, electrical, electronics : elektriker el
mentor, mentoring : mentor
dogs, dog, pets, pet : hund hunde
playground : legeplads
scouts, scouting : spejdere
youth club : ungdomsklub
"""


def parse_lexicon(text: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Parse SKILL_LEXICON_TEXT into {English phrase as word tuple: Danish words}."""
    lexicon: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        english, danish = line.split(" : ")
        targets = tuple(danish.split())
        for phrase in english.split(","):
            key = tuple(phrase.split())
            lexicon[key] = tuple(dict.fromkeys(lexicon.get(key, ()) + targets))
    return lexicon


SKILL_LEXICON = parse_lexicon(SKILL_LEXICON_TEXT)

# Domain concepts of local volunteering: words a coordinator would call "the same kind of task".
# Curated from the demo tasks and profiles (portal/demo.py), the skill lexicon above and the areas the
# municipal seed documents name (ældre og plejecentre, børn og skole, idræt, natur, kultur,
# integration, digital hjælp ...), not from any evaluation set. "label : Danish words". A text touching
# a concept gets one low-weight concept feature (analysis.CONCEPT_WEIGHT), so a profile and a task can
# meet on a concept ("cykeltur" ~ "gåtur", "kok" ~ "bagning") even without a shared word; English words
# reach concepts through their Danish equivalents in SKILL_LEXICON. Left out on purpose: ambiguous words
# ("have" is also *to have*, "spil" is also *playing music*, "kort" is also *kørekort*, Danish "chef" is
# a boss, "pensioneret" describes the volunteer, not the task).
CONCEPTS_TEXT = """
ældre : ældre senior seniorer pensionist pensionister beboer beboere plejehjem plejecenter plejecentret
    plejecentre ældrecenter dagcenter plejebolig demens demente hjemmehjælp ældresagen
børn og unge : børn barn børnene elev elever unge ungdom skolebørn børnehave børnehavebørn vuggestue sfo
    fritidsklub ungdomsklub drenge piger teenagere indskoling udskoling skole skoleklasse skoleelever spejder
    spejdere lege legeplads
mad : mad madlavning kok køkken bage bagning bager kage kager brød boller fællesspisning spisning
    måltid middag frokost madklub køkkenchef catering
natur og ture : natur naturen skov skoven tur ture gåtur gåture udendørs friluftsliv udflugt udflugter mose
    strand fugle dyr insekter insekthotel vandretur vandre cykeltur cykling cykle cykel rickshaw fisketur
    fiske fiskeri lystfisker hund hunde naturformidling
have : havearbejde luge lugning plante planter blomster grøntsager højbed højbede sansehave køkkenhave
    drivhus kompost
IT : it computer computere tablet ipad mitid nemid digital digitale internet mobiltelefon smartphone
    e-mail netbank software hjemmeside videoopkald teknologi
sport og motion : sport idræt idrætsforening fodbold håndbold træning træner motion motionere gymnastik
    svømning svømme livredder løb roning kajak bevægelse stolegymnastik dans danse dansetræning
musik : musik musiker sang synge kor korsang fællessang guitar klaver pianist instrument rytmik korleder
kultur : kultur museum museer teater koncert koncerter kunst udstilling film kulturhus bibliotek tegne
    tegning akvarel kreativ kreativitet kostumer
læsning og fortælling : læse højtlæsning læsning oplæsning bøger bog historie historier fortælle
    fortælling historiefortælling erindringer avis læseven
sprog : sprog sprogven sprogcafé dansk dansktræning danskundervisning engelsk arabisk farsi somali
    ukrainsk tysk oversætte oversættelse tolk tolkning udtale
integration : flygtning flygtninge integration nydansker nydanskere indvandrere asylcenter
undervisning : lektier lektiehjælp lektiecafé undervise undervisning lærer matematik fysik kemi kursus mentor
    instruktør instruktion
håndværk : håndværk håndværker reparere reparation værktøj værksted mekaniker smed tømrer snedker
    bygge byggeri bådebyggeri maling male maler pensel vedligehold lappe cykelværksted elektriker
håndarbejde : håndarbejde strikke strikning hækle hækling sy syning symaskine garn syklub strikkeklub
økonomi : regnskab kasserer økonomi bogføring budget revisor bogholder kontingent
samvær : besøgsven besøge selskab samtale snakke ensom ensomme ensomhed hygge kaffe café samvær
    lytte ledsager ledsage telefonkæde
kørsel : kørsel chauffør bil bus minibus kørekort
førstehjælp og sundhed : førstehjælp hjertestarter sygeplejerske sundhed redder
kommunikation : fotografering fotograf billeder nyhedsbrev nyheder plakater grafisk design kommunikation
    formidling medier referat referent skrive skrivning
miljø : affald skrald oprydning affaldsindsamling miljø klima genbrug madspild overskudsmad
arrangementer : arrangement arrangementer fest festival sommerfest julefrokost loppemarked værtskab
spil : brætspil skak kortspil banko brætspilsaften
"""


def parse_concepts(text: str) -> dict[str, tuple[str, ...]]:
    """Parse CONCEPTS_TEXT into {label: words}; a group may continue on indented lines."""
    concepts: dict[str, tuple[str, ...]] = {}
    label = None
    for line in text.strip("\n").splitlines():
        if not line.strip():
            continue
        if line[:1].isspace() and label is not None:
            concepts[label] += tuple(line.split())
        else:
            label, words = (part.strip() for part in line.split(" : "))
            concepts[label] = tuple(words.split())
    return concepts


CONCEPTS = parse_concepts(CONCEPTS_TEXT)
