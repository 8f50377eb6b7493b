"""What people say when they mean a command: the understanding step's data, keyed by command.

The table is keyed by the registered command names (the dispatcher reads free text through it);
whether each command's phrases move into its own `@command(...)` declaration is still open.

How to read a cue: `("aanvraag @progress", 3.0)` adds 3 to a command when the message holds the
word "aanvraag" and a word of the class `progress`, anywhere and in any order. Words are
compared by their Dutch and English lemmas, so one form stands for all ("aanvraag" also matches
"aanvragen", "requests" matches "request"). In a cue:

- `a|b` is either word; `power+bi` is words next to each other (a few small words may stand
  between them: "apply the new routing rules");
- `!word`: the word must NOT be there;
- `=word`: the word only as written, without lemmas ("=aanvraag" is not "aanvragen");
- `~word`: the word or a form read as it, not its own lemmas ("~aanvragen" is "vraag ... aan",
  not "aanvraag");
- `:day` is any day ("14/12", "vrijdag"), `:name` a person's name or e-mail address.

A negative weight counts against the command ("hoe ver staat mijn aanvraag voor Power BI" is
about a request, not a new licence). Each set of words counts once, at its strongest cue.

A command's keywords (from its declaration) are cues too, weighing KEYWORD_WEIGHT unless
KEYWORD_WEIGHTS says otherwise: an everyday word ("regels", "rules") is weak on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.commands.word_classes import CLASSES

__all__ = ["CLASSES"]

KEYWORD_WEIGHT = 3.0
MULTI_WORD_KEYWORD_WEIGHT = 4.0

# fmt: off
KEYWORD_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "regels": 2.0, "rules": 2.0,  # the rules of anything: the post context decides
    "aanvragen": 2.0, "requests": 2.0,  # "mijn aanvragen", or "een licentie aanvragen"
    "status": 2.5, "toegang": 2.5, "access": 2.5,  # "status van mijn aanvraag"
    "werkruimte": 2.5, "workspace": 2.5, "post": 3.0, "mail": 3.0,
})
# A keyword not read in these words, though they are its forms: "tickets" is never a new one.
KEYWORD_NOT: Mapping[str, frozenset[str]] = MappingProxyType({"ticket": frozenset({"tickets"})})

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PHRASES: Mapping[str, tuple[tuple[str, float], ...]] = MappingProxyType({
    "status": (
        ("@access_topic", 2.5),
        ("@access_topic @ok", 1.5),
        ("@access_topic @check", 1.0),
        ("@access_topic @problem|mis|probleem|lukt", 1.0),
        ("@access_topic @cannot", 1.5),
        ("@getin in|binnen|into|in+@app|@app", 2.0),
        ("toegang|access @ok", 1.0),
        ("toegang|access @check", 1.0),
        ("geen+toegang", 1.5),
        ("toegang|access @app", 1.0),
        ("@app", 0.5),
        ("@licence @own", 2.5),
        ("@own @product !@apply", 2.5),
        ("@licence welk|which", 1.0),
        ("@licences !@apply !@product", 2.5),
        ("kunnen|geraken aan|in|bij @app", 2.0),
        ("toegang|access @product", 2.0),
        ("@my+@licence !@request", 2.5),  # not "status of my licence request"
        ("@request !@access_topic", -2.5),
        ("werkruimte|workspace", -1.5),
        ("@apply toegang|access", -1.0),
        ("@problem !@access_topic", -1.5),
        ("@want !@ok !@check !@problem !toegang !access !@getin", -2.0),
        ("@licence @decided", -2.0),
        ("hoeveel|how+many", -2.5),
        ("@hardware|@personnel !@access_topic", -2.0),  # a badge, a chair, HR: the desk's
        ("onedrive|sharepoint @syncs !account !acount !@ok !@check", -2.0),  # not the account's
        ("@offered", -2.0),  # what there is to have, not what one has
        # "status van mijn ticket": the ticket's, though the access card's word is there.
        ("ticket|tickets|melding|meldingen|incident|case @progress|@my !@access_topic", -2.0),
    ),
    "licence": (
        ("@product", 2.5),
        ("@licence @apply", 1.5),
        ("werkruimte|workspace @apply", 1.5),
        ("toegang|access werkruimte|workspace", 1.5),
        ("@product @apply", 1.0),
        ("hoe @apply", 0.5),
        ("=aanvraag|=request !@my !@progress !@cancel", 2.5),
        ("@request @product !@my", 1.0),
        ("@progress", -2.5),
        ("@cancel", -2.5),
        ("@my+@licence", -2.5),
        ("@problem", -3.0),
        ("@own !@apply", -3.5),
        ("@own @licence !@apply", -2.0),  # a licence one has: the access card's question
        ("@catalogue @licence", -1.0),
        ("=rapport|=report|overzicht|export|excel|statistieken|cijfers|hoeveel @licence", -2.0),
        ("hoeveel|how+many", -2.0),
        ("ben+ik|am+i", -1.5),
        ("@hardware|@personnel !@product", -2.5),
        ("@away !@product", -2.5),
        ("@offered !@change", 2.0),
        ("@offered @apply !@change", 1.0),
        # What there is to ask for: "wat kan ik allemaal aanvragen?", "what can I request here?"
        ("wat|welke|what|which kunnen|can ~aanvragen|request !@decided !@my", 2.5),
        ("@catalogue @change", -4.0),  # changing what is offered is the catalogue's
        ("@asked", -2.5),  # asked for already: that request's business
    ),
    "requests": (
        ("@request", 1.5),
        ("@request @progress", 3.0),
        ("@request @cancel", 3.0),
        ("@request @my", 1.0),
        ("@request @boss", 1.0),
        ("status @request", 1.5),
        ("@licence @progress", 1.5),
        ("@my+@licence", 3.0),
        ("opnieuw @request|indienen", 1.0),
        ("@howis @product|@licence", 3.0),
        ("@howis toegang|access @product", 4.0),
        ("how going @product|@licence", 3.0),
        ("how going access @product", 4.0),
        ("@asked @product|@licence|@request", 2.5),
        ("@want !@my !@progress !@cancel", -2.0),
        ("@away @request !@licence !@product !@decided", -3.0),  # a leave request, not ours
        ("@personnel|@hardware !@licence !@product", -3.0),  # nor one for a chair or for HR
        ("servicedesk|helpdesk|service+desk !@licence !@product", -1.5),  # a ticket, then
    ),
    "post": (
        ("@letters", 2.5),
        ("post|mail|@letters @new", 1.0),
        ("@mailroom !werk !werken !work", 2.5),  # not where one works: "ik werk op de postkamer"
        ("zoek|zoeken|search|vind|vinden|find post|mail|@letters|@paperwork", 1.0),
        ("binnengekomen|binnenkomen|toegekomen|aangekomen|arrived", 2.0),
        ("@paperwork", 1.5),
        ("@paperwork @new", 1.0),
        ("=doorsturen|=forward !post !mail !@letters !@away !naar !to", 2.0),
        ("@forward post|mail|@letters", -2.5),
        ("@away", -2.5),
        ("wie|who @receive", -3.0),
        ("@rules", -2.5),
        ("stuur|sturen|send naar|to", -1.5),
        ("post|mail|@letters naar|to :name", -0.5),
        ("post|mail|@letters naar|to :day", -2.0),
        ("naar+wie|to+whom", -4.0),
        ("tot+:day|until+:day|till+:day", -1.5),
        ("@problem", -1.5),
        ("=mails|=e-mails|=emails|e-mail|email", -2.5),
        ("@sendout", -3.5),  # sending a letter out is done at the counter
        ("ben+ik|am+i|rol|role|rollen|roles @rolename", -2.5),
    ),
    "post_delegation": (
        ("@forward", 2.5),
        ("post|mail|@letters @forward", 2.0),
        ("tot+:day|until+:day|till+:day|to+:day", 2.0),
        ("post|mail|@letters @away", 2.5),
        ("@stop @forward|@away", 1.5),
        ("post|mail|@letters naar|to", 0.5),
        ("post|mail|@letters naar|to :name", 2.0),
        ("post|@letters doorgeven|geef+door aan :name", 2.5),  # "post doorgeven aan Lore"
        # A colleague and the days: "mijn post van 7/12 t.e.m. 9/12 naar Luc Janssens".
        ("post|mail|@letters naar|to :name :day|volgende+week|next+week|deze+week|this+week", 1.5),
        ("post|mail|@letters naar|to collega|colleague|iemand|someone", 1.5),
        ("post|mail|@letters :name @receive|@handle !van !from !vd", 2.0),
        ("post|mail|@letters naar+wie|to+whom", 4.5),
        ("post|mail|@letters stuur|sturen|send", 1.0),
        ("post|mail|@letters wie|who @receive", 4.5),
        ("tijdens|during|while @away", 1.5),
        ("post|mail|@letters mag naar", 1.0),
        ("overzicht|lijst|list|overview @forward", 1.0),
        ("tijdens|during|while|terwijl @away @setup", 1.0),
        ("@forward @setup", 1.0),
        ("@rules", -2.5),
        ("outlook|afwezigheidsmelding", -3.0),
    ),
    "post_rules": (
        ("@rules post|mail|@letters", 2.5),
        ("@rules @file", 1.5),
        ("routering|routing", 2.0),
        ("@rules @adopt", -2.0),
    ),
    "post_rules_apply": (
        ("@rules @adopt", 4.5), ("@rules|werkboek|workbook @reviewed", 1.5),
    ),
    "catalogue": (
        ("@catalogue", 3.0),
        ("@catalogue @file|@change", 1.0),
        ("@catalogue @licence|@product", 1.5),  # the licence catalogue, power bi in it
        # "artikels" are the knowledge base's, "artikelen" the catalogue's (one lemma)
        ("=artikels", -1.5),
        ("kennisbank|servicedesk|helpdesk|knowledge+base|service+desk", -2.0),
    ),
    "ticket": (  # a question for the service desk's people (a ticket)
        ("ticket|melding aanmaken|maken|=openen|indienen|registreren|create|new|nieuw|nieuwe"
         "|raise", 2.0),
        (
            "spreken|praten|bespreken|bellen|contact|contacteren|doorgeven|escaleren|speak|talk"
            "|pass|escalate|reach mens|medewerker|persoon|iemand|human|person|someone|servicedesk"
            "|helpdesk|service+desk",
            2.5,
        ),
        ("vraag|question servicedesk|helpdesk|service+desk", 1.0),
        # A person of the desk asked for, without a verb: "iemand van ICT", "een technieker".
        ("iemand|someone|somebody|collega|medewerker|persoon|person @desk", 2.5),
        ("@desk_person", 2.5),
        # Someone to help or look at it: "kan iemand mij helpen", "I'd like a person to look".
        ("iemand|someone|somebody|persoon|person|medewerker helpen|help|kijken|look|nodig|need",
         2.5),
        # Someone to come, call back or take over: what only a person of the desk does.
        ("@visit", 2.5),
        ("iemand|someone|somebody|technieker|technician komen|come|sturen|stuur|send", 2.5),
        # Someone asked to act, whatever the act: "kan er iemand dat opnemen?", "could someone
        # reset my MFA?" (not someone else for one's post, not someone to explain).
        ("@someone_asked !anders !else !uitleggen !explain !zeggen", 2.5),
        # An incident or a call logged: the desk's own words for a ticket.
        ("incident|case|storing|interventie|service+request|supportticket|support+request|"
         "support+ticket @create", 2.5),
        ("melden|meld|report|registreren|registreer probleem|problem|storing|defect|panne", 2.0),
        ("call log|loggen|raise", 2.5),
        ("melden|meld|verwittigen|verwittig|report|notify|inform|doorgeven @desk", 2.5),
        # Passed on to the desk: "stuur dit door naar de helpdesk", "log this with IT".
        ("doorsturen|forward|log @desk !post !brief !brieven", 2.5),
        # Mine (not "mijn printer"), unless one is made; "bel mij", "graag een ticket" ask for one.
        ("@my+ticket|@my+tickets|@my+melding|@my+meldingen !aanmaken !=maak !=maken !nieuwe", -2.0),
        ("bel|bellen|opbellen|terugbellen|contacteer|contacteren|call|phone mij|me", 2.5),
        ("=ticket|=melding|=incident graag|aub|please|alstublieft|asap|pls", 2.0),
        ("@my+vraag|@my+question", -2.0),  # "mijn vragen aan de servicedesk": asked already
        ("=tickets !=maak !=maken !=aanmaken !nieuwe !new", -1.5),
        # One asked to be made, in the imperative or the infinitive (not "gemaakt": made).
        ("=maak|=maken|=aanmaken|=create|=raise|=log ticket|melding|dossier|case|incident", 3.5),
        ("@progress ticket|tickets|melding|meldingen", -2.0),
    ),
    "tickets": (  # the person's tickets
        ("@my ticket|tickets|melding|meldingen !aanmaken !=maak !=maken", 2.5),
        # "mijn vragen aan de servicedesk": what was asked of the desk, the tickets
        ("@my+vraag|@my+question|@waiting+vraag servicedesk|helpdesk|service+desk", 2.5),
        # Tickets, plural, are a list: "post en tickets graag" (not when some are to be made).
        ("=tickets !=maak !=maken !=aanmaken !nieuwe !new !@waiting !wachtrij !queue !@report",
         2.5),
        (
            "@progress|opgelost|geantwoord|heropenen|reopen|resolved|answered "
            "ticket|tickets|melding|meldingen",
            2.5,
        ),
        ("ticket|tickets|melding|meldingen servicedesk|helpdesk|service+desk @my", 1.0),
        ("geen+meldingen|geen+melding|no+notifications", -6.0),  # an app's notifications
    ),
    "desk_tickets": (  # the desk's queue, for its agents
        ("wachtrij|queue|backlog", 3.0),
        ("ticket|tickets|melding|meldingen|incident|incidenten|incidents @waiting !@my !@report",
         2.5),
        ("alle|all ticket|tickets|meldingen|incidenten|incidents !@my !@report", 1.5),
        # "openstaande tickets van de servicedesk": the desk's own, not one's own
        ("ticket|tickets|melding|meldingen @waiting servicedesk|helpdesk|service+desk !@my "
         "!@report", 3.5),
    ),
    "articles": (  # the service desk's knowledge base, as its workbook
        ("artikel|article|antwoord|answer servicedesk|helpdesk|service+desk", 2.5),
        ("kennisbank|knowledge+base @file|@change", 1.0), ("artikel|article @change|@create", 2.0),
        ("=artikelen !servicedesk !helpdesk !kennisbank", -1.5),  # the catalogue's items
    ),
    "ticket_report": (  # the service desk's figures, for its agents and admins
        ("@report ticket|tickets|melding|meldingen|servicedesk|helpdesk|service+desk", 3.5),
        (
            "ticket|tickets|melding|meldingen|servicedesk|helpdesk|service+desk "
            "tevredenheid|satisfaction|reactietijd|reactietijden|oplostijd|oplostijden|"
            "response+time|resolution+time",
            3.5,
        ),
        ("@my ticket|tickets|melding|meldingen", -3.0),  # the person's own: the list
        ("@change", -2.5),  # the knowledge base's workbook, edited: the articles
    ),
    "announce": (  # a communication admin writes to everyone, an entity or a group
        ("aankondiging|mededeling|announcement|bericht|message|melding @compose", 2.5),
        ("iedereen|everyone|medewerkers|personeelsleden|personeel|staff|organisatie|organisation|"
         "collega|collegas|entiteit|entity|employees|all|alle|groep|group|kanaal|channel "
         "versturen|sturen|uitsturen|rondsturen|verspreiden|laten+weten|verwittigen|informeren|"
         "bekendmaken|send|tell|let+know|inform|broadcast|notify", 2.5),
        ("verwittigen|rondsturen|verspreiden|bekendmaken|broadcast", 1.5),
        ("communicatie|communication|mededeling|nieuwsbericht create|maken|opstellen|draft|new|"
         "nieuwe|nieuw", 2.0),
        ("aankondigen|announce", 2.5),
        # Put up for all to read: "post an announcement" (not "een bericht in mijn post").
        ("aankondiging|mededeling|announcement post|posten|publiceren|publish|share|delen", 2.5),
        ("everyone|staff|employees post|publish", 2.5),  # English: "alle post" is the post
        # "aankondiging" and "aankondigingen" share a lemma: the form as typed tells them apart.
        ("=aankondigingen|=announcements|=mededelingen", -1.0),
        ("@my aankondiging|aankondigingen|mededeling|mededelingen|announcement|announcements",
         -3.0),
        ("@progress|gelezen|read|bevestigd|acknowledged|verstuurd|sent|concept|concepten|"
         "drafts aankondiging|aankondigingen|mededeling|announcement|announcements !klaarzetten",
         -2.5),
    ),
    "announcements": (  # the communication admin's own announcements and their figures
        ("@my aankondiging|aankondigingen|mededeling|mededelingen|announcement|announcements",
         3.0),
        ("@progress|gelezen|read|bevestigd|acknowledged|verstuurd|sent|bereikt|reached|concept|"
         "concepten|drafts aankondiging|aankondigingen|mededeling|announcement|announcements "
         "!klaarzetten", 3.0),
        ("hoeveel|how+many|wie|who aankondiging|mededeling|announcement", 1.5),
        ("@my|ik bericht|berichten|melding|meldingen|nieuwsbericht|info|message|notice "
         "uitgestuurd|verstuurd|verspreid|rondgestuurd|gestuurd|sent|gelezen|read|geopend|opened|"
         "bevestigd|bevestigen|acknowledged|bereikt|reached|ontwerp|concept", 2.5),
        ("@my drafts|concepten|ontwerpen", 2.5),
        ("sent+out|uitgestuurd|rondgestuurd|verspreid", 1.0),
        ("=aankondiging|=announcement|=announce|=mededeling !@my", -1.0),
    ),
    "licence_report": (
        ("@report @licence|@request", 3.5),
        ("@report aangevraagd|requested", 2.0),
        ("hoeveel|how+many @request|@licence|@product", 1.5),
        ("@report toegekend|assigned|granted", 1.0),
        ("@my+@request", -3.0),
    ),
    "profile": (
        ("@boss", 3.0), ("wie|who @boss", 1.0),
        ("@org @me", 2.5), ("@org @belong", 1.0),
        ("ben+ik|am+i @org", 2.0),
        ("weten|know over+mij|over+me|about+me", 2.5),
        ("@org|@boss|gegevens @correct", 1.0),
        ("ben+ik|am+i|heb+ik|have+i|rol|role|rollen|roles @rolename", 2.5),
        ("kennen|kent|know|weten|weet @bot mij|me", 2.5),
        ("@request", -3.0),
    ),
    "help": (
        ("wat|what kunnen|can @you", 3.0),
        ("wat|what|welke|welk|which kunnen|can vragen|ask", 3.0),
        ("wat|what kunnen|can @me doen|do", 3.0),
        ("dingen|zaken|things kunnen|can", 1.0),
        ("hoe|how werken|work dit|this|het|it|@you|@bot", 3.0),
        ("waarvoor|what+for dienen|dient|gebruiken|use @bot", 3.0),
        ("what =for @bot", 3.0),
        ("hoe|how beginnen|begin|starten|start", 3.0),
        ("commando|commando's|commandos|opdracht|opdrachten", 3.0),
        ("mogelijkheden|uitleg|typen|handleiding|features|=functies|opties|options|menu", 2.5),
        ("hoe|how gebruiken|use dit|this|het|it|jou|you|@bot", 3.0),
        ("vragen stellen", 2.5),
        ("wat|what doen|do @you !weten|know", 2.5),
        ("weten|know niet|not wat|what", 1.5),
    ),
})

# Cues every command has: a how-to question is for the service desk's answers.
SHARED_PHRASES: tuple[tuple[str, float], ...] = (("@howto", -1.5),)

# Greetings and thanks are scored like a command ("greeting") but answered with a welcome.
GREETING_PHRASES: tuple[tuple[str, float], ...] = (
    ("@greeting", 3.0), ("@thanks", 3.0),
    ("dank+u|dank+je|thank+you", 1.0),
    ("@thanks hulp|help|uitleg|explanation|antwoord|answer|info", 2.0),
    ("tot+:day|tot+straks|tot+later|tot+gauw|see+you", 3.0),  # goodbye: "tot morgen!"
)

# Words that name a day, for the `:day` cue word (which also takes "14/12" and "2026-12-14").
MONTHS = _words("""
januari februari maart april mei juni juli augustus september oktober november december january
february march may june july august october jan feb mrt apr jun jul aug sep sept okt oct nov dec
""")
WEEKDAY_NAMES = _words("""
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag monday tuesday wednesday thursday friday
saturday sunday
""")
DAY_NAMES = WEEKDAY_NAMES | _words("vandaag morgen overmorgen today tomorrow morge overmorge")

# A message that starts with one of these (or ends with "?") asks the bot something it knows:
# "is mijn pc beheerd?" is the access card's question, where "mijn laptop is gestolen" reports a
# problem for the service desk. Words unknown to a command cost less in a question.
QUESTION_WORDS = _words("""
is ben zijn heb heeft hebben kan kun kunt mag moet zit sta staat wat wie welke welk waar wanneer
waarom hoe hoeveel are am do does did have has can could may what which who where when why how kunde
hebde zijde zijt weette wa wadde
""")

# Words that ask nothing by themselves: a message is not "unexplained" because of them.
STOPWORDS = _words("""
de het een n en of maar dan als dat die dit deze da wa nie niet geen er hier daar ik mij me mijn mn
je jij jou jouw ge gij u uw we wij ons onze hij zij ze hem haar men iets iemand van voor met op in
aan naar tot bij uit over om te door zonder tegen sinds tijdens na al nog ook wel toch zo eens even
efkes keer nu ja nee neen ok oke okay aub a b alstublieft alsjeblieft asjeblieft graag allee he hoor
zeker misschien eigenlijk gewoon echt dus want omdat is ben bent zijn was waren heb hebt heeft
hebben had kan kun kunt kunnen kon mag mogen moet moeten wil wilt willen zou zouden zal zult word
wordt worden werd ga gaat gaan doe doet doen zit zitten staat staan laat laten toon tonen zien geef
geven krijg krijgen wat wie waar wanneer waarom hoe welke welk waarvoor werkplek bot allemaal niets
niks mijne uwe ulder alle elk ieder mee ne wat's nodig beetje snel dringend vandaag meer alles naam
volgens jullie hun zich mezelf lopen lopend lopende actieve nieuw nieuwe maken delen gebruiken
bouwen maand maanden jaar week weken afgelopen vorige laatste volgende komende eigen lijst werk
werken zetten regelen soms altijd nooit weer terug opnieuw steeds dingen zaken onder boven helemaal
volledig terwijl ah oh aha tem the a an is are am was were be been do does did have has had can
could would will shall should may might must i me my mine you your we our us it its this that there
here of to for from in on at by with about and or but not no yes any some still yet please pls so
much very just also get got let show tell see want need like what which who whom whose where when
why how t m s d ll re ve im dont won lot again now name according they them their running active new
make share use build month year week last past next own work things list someone anyone always never
something anything nothing everything be being been off go goes going gone too ones one while oh
""")
# fmt: on
