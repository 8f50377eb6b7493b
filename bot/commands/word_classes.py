"""The word classes the cues refer to as @name (bot/commands/phrases.py): words that say the
same thing to the understanding step ("@hardware": a chair, a headset, a laptop). The labelled
sentences' model reads them too (bot/commands/examples.py), so a class carries over to a word of
it no labelled sentence holds yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# fmt: off
# Word classes the cues refer to as @name. Space-separated; `+` joins words that stand together.
CLASSES: Mapping[str, str] = MappingProxyType({
    "my": "mijn m'n mn my mine",
    "me": "ik mij me mijn i me my",
    "you": "je jij jou ge gij u jullie you werkplek bot",
    "ok": "orde in+orde ok oke okay goed juist juiste fine correct werkt actief compliant conform "
          "voldoet voldoen geregistreerd ingesteld aanstaan aan right set+up setup enabled "
          "registered shape alright working works beheerd beheerde managed ingeschreven enrolled "
          "geldig valid verlopen expired klaar ready toegevoegd added",
    "access_topic": "account acount gebruikersaccount aanmelden aanmelding inloggen login "
                    "aanmeldmethode aanmeldmethodes sign+in log+in signin logon mfa 2fa "
                    "tweestapsverificatie tweefactor authenticator verificatie toestel toestellen "
                    "laptop pc computer gsm smartphone tablet device devices phone telefoon "
                    "mobiel mobile intune groep groepen sleutelgroep sleutelgroepen group groups "
                    "geblokkeerd vergrendeld uitgeschakeld blocked locked disabled "
                    "beveiligingsregels compliant synchronisatie synchroniseren gesynchroniseerd "
                    "sync entra toepassing toepassingen applicatie applicaties toegangsrechten "
                    "gebruikersnaam username identiteit identity mailbox vpn acces",
    "syncs": "sync synct syncen synchroniseert synchroniseren synchronisatie syncing synced "
             "syncs",
    "check": "nakijken nagaan checken check controleren kijken bekijken verify verifieren testen "
             "test opzoeken lookup look+up",
    "getin": "geraken binnengeraken binnenraken inraken get+in get+into",
    "app": "outlook teams sharepoint onedrive office exchange =mails e-mail email e-mails emails "
           "mailbox intranet",
    "licence": "licentie licenties license licence licenses licences abonnement subscription",
    "licences": "=licenties =licenses =licences =abonnementen =subscriptions",
    "own": "heb+ik have hebben toegekend assigned bezit heb+ik+al do+i+have =licensed "
           "=gelicentieerd",
    "product": "pro premium ppu dataset datasets dashboard dashboards powerbi pbi power+bi "
               "power+apps power+automate powerapps flows flow automatiseren dataverse "
               "connectoren connectors leestoegang app+bouwen apps+bouwen apps+maken app+maken "
               "build+app build+apps fabric publiceren publish",
    "apply": "~aanvragen ~vragen krijgen nodig willen wil graag bestellen indienen aanmaken geven "
             "lid+worden nieuw nieuwe extra kom+aan wens wensen kan+ik+hebben nood+aan "
             "mag+ik+hebben want need get like request order apply give new another can+i+have "
             "could+i+have may+i+have would+like",
    "want": "krijgen nodig willen wil graag bestellen indienen aanmaken lid+worden nood+aan nieuw "
            "nieuwe extra wens wensen kan+ik+hebben mag+ik+hebben want need get like order new "
            "another can+i+have could+i+have may+i+have would+like",
    "receive": "krijgen krijgt ontvangen ontvangt receive receives get gets",
    "handle": "opvolgen behandelen overnemen afhandelen handle cover",  # another's post
    "request": "aanvraag aanvragen licentieaanvraag request requests",
    "progress": "status stand ver staat staan goedkeuring approval goedgekeurd goedkeuren "
                "behandeld behandelen geweigerd weigeren afgewezen afwijzen nieuws lopende "
                "openstaan openstaande wachten wanneer bekeken opgevolgd opvolgen opvolging duren "
                "duurt lang waar+zit gehoord beslist beslissing heard decided decision stuck "
                "approved approve rejected reject pending news far along progress ready klaar "
                "verwerkt where+is take taking long afgekeurd afkeuren declined denied turned+down "
                "er+door erdoor gone+through went+through go+through",
    # A request the person already made: "ik heb power automate aangevraagd".
    "asked": "=aangevraagd =gevraagd =ingediend =requested =submitted =applied+for =asked+for",
    # What a licence request's approver decided: the request's business, not the access card's.
    "decided": "goedkeuring approval goedgekeurd goedkeuren geweigerd weigeren afgewezen afwijzen "
               "afgekeurd afkeuren behandeld beslist approved approve rejected declined denied "
               "pending",
    "cancel": "annuleren annuleer intrekken terugtrekken stopzetten schrappen verwijderen cancel "
              "withdraw delete remove mag+weg niet+meer+nodig no+longer+need no+longer+needed",
    "problem": "kapot crasht crash laadt laden fout foutmelding error broken traag slow "
               "werkt+niet doet+raar load loading wrong probleem problem doet+niet klopt+niet "
               "kloppen+niet scheelt schelen mis+met not+working doesn+t+work doesnt+work",
    # What one cannot do: "ik kan nie aanmelden", "ik geraak niet binnen".
    "cannot": "kan+niet kan+nie kunnen+niet kunt+niet kunde+niet geraak+niet geraken+niet "
              "lukt+niet cannot cant can+t can+not unable",
    # Things one orders that are not licences: the service desk's business.
    "hardware": "laptop pc computer scherm =monitor stoel bureaustoel muis klavier toetsenbord "
                "printer headset koptelefoon telefoon gsm smartphone docking badge screen mouse "
                "keyboard chair phone",
    # Personnel matters: HR's business through the service desk, never a licence request.
    "personnel": "verlofaanvraag verlofaanvragen verlofdag verlofdagen thuiswerk thuiswerken "
                 "thuiswerkdag telewerk telewerken ouderschapsverlof loonbrief loon salaris "
                 "onkosten onkostennota personeelsdienst hr payslip salary expenses "
                 "parental+leave leave+request remote+work",
    "letters": "brief brieven poststuk poststukken stukken postvak letter letters briefwisseling "
               "parcel parcels pakketten pakjes aangetekend aangetekende registered envelop "
               "enveloppe zending zendingen correspondentie gescand gescande scan scans pakket "
               "pakje",
    "new": "nieuw nieuwe binnengekomen binnenkomen binnen liggen wachten afhandelen afgehandeld "
           "afgehandelde gekomen toegekomen aangekomen new waiting handled arrived",
    # Papers that come in by post: "is de factuur van Proximus al toegekomen?".
    "paperwork": "factuur facturen rekening rekeningen aanmaning aanmaningen invoice invoices "
                 "bill bills",
    "mailroom": "postkamer mailroom verdelen verdeeld verdeling bestemmeling triage sorteren "
                "bezorgen toewijzen routeren",
    "forward": "doorsturen doorsturing doorsturingen doorgestuurd doorzetten omleiden omleiding "
               "doorzending forward forwarding redirect redirection delegeren delegatie "
               "postdelegatie delegation delegate",
    "away": "verlof vakantie afwezig afwezigheid weg ziek vervanger vervanging away leave "
            "verlofperiode ziekte conge tijdelijk holiday vacation absent absence sick congres "
            "dienstreis buitenland conference business+trip out+of+office temporarily temporary",
    "rules": "regel regels postregels routeringsregels routering verdeelregels rule rules routing",
    "file": "download downloaden excel exporteren export aanpassen wijzigen bekijken zien toon "
            "actief hoeveel werkboek opladen uploaden toevoegen verwijderen item items artikel "
            "edit change show upload workbook add remove bijwerken herzien halen weghalen update "
            "updaten",
    # Changing a list: what an admin does to the catalogue ("power bi uit het aanbod halen").
    "change": "aanpassen wijzigen toevoegen verwijderen bijwerken herzien halen weghalen zetten "
              "opnemen plaatsen schrappen opladen uploaden update updaten edit change add remove "
              "upload",
    "adopt": "overnemen toepassen activeren doorvoeren apply adopt accept activate live "
             "actief+worden actief+maken actief+zetten gebruik+nemen go+live",
    "reviewed": "gecontroleerd nagekeken gecheckt checked reviewed verified",  # apply next
    "catalogue": "catalogus licentiecatalogus catalogue catalog aanbod producten artikelen "
                 "aanbieden bieden offer offering products",
    # The service desk and the services that send a person: "iemand van ICT", "from IT".
    "desk": "servicedesk helpdesk service+desk ict =it informatica facilitair facilities support "
            "technische+dienst tweede+lijn second+line",
    "desk_person": "technieker technician ict'er ict-medewerker it-medewerker informaticus "
                   "echte+persoon echte+mens echte+medewerker =mens real+person real+agent "
                   "live+agent human",
    "someone_asked": "kan+iemand kunt+iemand wil+iemand zou+iemand graag+iemand wie+kan+mij "
                     "wie+kan+me can+someone could+someone would+someone will+someone "
                     "can+somebody could+somebody who+can+help",
    "visit": "langskomen langs+komen komen+kijken komen+bekijken passeren meekijken "
             "terugbellen terugbelafspraak terugbelverzoek bel+terug opbellen bel+mij bel+me "
             "callback call+back call+me doorverbinden aan+de+lijn "
             "put+through connect+me escaleren escalatie escalate escalation come+by",
    # Writing a message for others, or setting it ready: "zet een mededeling klaar".
    "compose": "versturen sturen uitsturen maken opstellen schrijven nieuw nieuwe send write "
               "create new draft klaarzetten inplannen plannen schedule",
    "create": "aanmaken maken openen log loggen raise registreren indienen create new "
              "nieuw nieuwe melden aanvragen inplannen",
    # A ticket that waits: the desk's queue, not the person's own ("mine" says which).
    "waiting": "openstaan openstaand openstaande onbehandeld onbehandelde unassigned "
               "niet+toegewezen nie+toegewezen niemand+toegewezen zonder+behandelaar niemand+op "
               "nobody+on te+laat overdue late waiting wachten wachtend pending",
    "report": "rapport rapporten overzicht export exporteren statistieken cijfers hoeveel aantal "
              "aantallen totaal report overview statistics stats figures numbers how+many excel "
              "spreadsheet",
    "howis": "hoe+staat+het hoe+zit+het",
    "stop": "stop stoppen stopzetten beeindigen opheffen uitzetten afzetten uitschakelen cancel "
            "end turn+off switch+off",
    # Putting something in place: "post tijdens afwezigheid instellen".
    "setup": "instellen inschakelen aanzetten opzetten activeren configureren set+up setup enable "
             "turn+on",
    # Ways to ask how to do something: the service desk's answers, not a command.
    "howto": "installeren installeer instellen wijzigen wijzig veranderen verander resetten reset "
             "configureren koppelen verbinden printen afdrukken boeken reserveren declareren "
             "install configure connect change print book reserve",
    "correct": "klopt kloppen juist correct right accurate",
    "boss": "leidinggevende baas manager chef diensthoofd overste teamleider supervisor "
            "afdelingshoofd directeur verantwoordelijke boss team+lead team+leader teamlead n+1",
    "org": "dienst afdeling directie entiteit agentschap departement organisatie department "
           "functie job rol rollen role roles =rechten permissies goedkeurder approver agency "
           "agent permissions =rights beheerder admin administrator",
    "belong": "behoren horen zitten ingeschreven sta staan vallen val valt belong",
    # Werkplek's roles by name: "ben ik postkamer?", "am I a mailroom clerk?".
    "rolename": "postkamer postkamermedewerker mailroom clerk beheerder admin administrator "
                "goedkeurder approver agent",
    # Werkplek itself, as people call it: "waarvoor dient deze chat", "hoe gebruik ik u".
    "bot": "werkplek bot chatbot chat jou u you dit+hier da+hier dat+hier this+chat",
    # A letter sent out: the mailroom's counter, not the post desk in Werkplek.
    "sendout": "frankeren frankering postzegel postzegels versturen verzenden opsturen =posten "
               "stamp stamped stamps =posted",
    "offered": "aanbod offer offering beschikbaar available",  # the licence form's, for staff
    "greeting": "hallo hoi hey hi hello dag goeiedag goedendag goeiemorgen goedemorgen "
                "goeiemiddag goedemiddag goeieavond goedenavond morning good+morning afternoon "
                "evening bonjour salut yo =daag doei bye ciao goeiendag hiya salu saluut "
                "goeie+morgen goede+morgen goeie+middag goede+middag goeie+avond goede+avond "
                "tot+ziens fijne+avond fijne+dag fijn+weekend schone+avond schone+dag "
                "prettige+avond prettige+dag goed+weekend nice+day nice+evening nice+weekend "
                "good+night gelukkig+nieuwjaar happy+new+year "
                "prettige+feestdagen fijne+feestdagen zalig+kerstfeest vrolijk+kerstfeest "
                "zalig+kerst merry+christmas happy+holidays beste+wensen best+wishes ewa hallokes "
                "proficiat gefeliciteerd congratulations congrats",
    "thanks": "bedankt dank dankjewel dankuwel merci thanks thank thx tnx cheers top super "
              "perfect great",
})
# fmt: on
