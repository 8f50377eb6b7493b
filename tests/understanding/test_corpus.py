"""The labelled corpus through the understanding step, with the commands the dialogs declare.

Each utterance is scored against the commands its caller's roles allow (as the dispatcher will),
with the demo catalogue's item names and synonyms as the licence command's extra words. It is
right when the verdict is the expected one (the command, a greeting, nothing for the service
desk, or a question between the two expected commands) and the arguments handed to the command
read, through the command's own parser, as labelled. Run with `-s` to see the report: accuracy
per command and every confusion.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pytest

from bot.commands.dispatcher import given_arguments
from bot.commands.examples import ExampleModel
from bot.commands.lemmas import forms_near
from bot.commands.registry import BoundCommand, CommandSpec, Registry
from bot.commands.shipped_model import corpus_model
from bot.commands.understanding import Understanding, Verdict, understand
from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role, may_act_as
from bot.domain.platform.text import fold
from devtools.demo_catalogue import demo_catalogue
from dialogs import command_specs
from dialogs.access.status import whom
from dialogs.licences.admin import parse_report_ask
from dialogs.post.text import parse_filters, read_delegation
from dialogs.servicedesk.report import parse_report_ask as parse_ticket_report_ask
from tests.understanding.corpus import (
    AMBIGUOUS,
    GREETING,
    SERVICEDESK,
    TODAY,
    TRAIN,
    Utterance,
    load,
)

# The issue's bar, on everything labelled.
WHOLE_CORPUS_BAR = 0.95
# What sentences nobody tuned on reach, each figure measured once on a fresh set before anything
# was changed for it (the cues alone until set 7): rounds 1 to 5, written by the scorer's own
# engineer after tuning, 88.1%, 85.9%, 86.5%, 90.2%, 90.2%. Sets 6 and 7 were written by
# engineers who never read the scorer, labelled by each command's meaning: set 6 (288
# sentences) 76.7%, set 7 (272) 70.2%. The cues carry over badly to sentences nobody wrote a cue
# for, so the labelled sentences now decide where the cues are not sure (bot/commands/
# examples.py): on set 7, learnt from everything but set 7, that reads 82.0% with arguments
# checked (86% by command alone); its policy and thresholds were chosen on set 7, so that figure
# is no blind one either. Set 8 (309 sentences, blind, written by another engineer who never read
# the scorer) read 82.2% with the examples (Dutch 81.0%, English 85.7%; the cues alone 74.8%):
# 37 misses were the wrong command (15 of them questions for the service desk that hold a
# command's words), 18 the right command with arguments read wrong. Then arguments were read
# better and 770 training sentences written; set 9 (315 sentences, blind, by an engineer who had
# read neither the scorer nor its commit messages) read 84.1% (Dutch 84.0%, English 84.4%; the
# cues alone 70.5%). After a round on sets 8 and 9 (licence items from a described need,
# goodbyes, CUES_SURE chosen by leaving set 8 or 9 out), set 10 (317 sentences, blind, written
# to stay far from every earlier sentence) read 77.0% (Dutch 75.7%, English 80.8%; the cues
# alone 64.4%): 48 wrong commands, 25 arguments. held_out_dev (84 sentences) read 90.5% once,
# blind, with the cues. Sets 11 and 12 (330 sentences each, blind, by two more engineers who
# never read the scorer, one writing as a service-desk veteran, one as a linguist varying age,
# register and indirectness) read 86.4% (Dutch 87.6%, English 82.5%; the cues alone 74.5%) and
# 85.2% (Dutch 85.6%, English 83.8%; the cues alone 76.1%): 59 wrong commands, 35 arguments
# (most of them a delegate named without an end day, or "volgende week" as a period). Then
# arguments were read as far as they are said (a delegate without an end, by the verb beside the
# name, periods, a stop; senders, report months and quarters): leaving each blind set out
# (tests/understanding/crossval.py) read 93.7% on average, from 92.7%. Set 13 (330 sentences,
# blind, a week of messages from staff, approvers and admins, with how-to questions for the
# knowledge base) then read 91.2% (Dutch 91.2%, English 91.2%; the cues alone 82.7%): 28 wrong
# commands (11 of them how-to questions read as a command, mostly the access card), 1 argument.
# Every set measured is tuning material (and learnt from) since; the held-out sentences now are
# held_out_dev and the next blind set. The announcements' blind set (48 sentences by comms
# officers, written by someone who never read the scorer, measured once on the cues and
# examples written with the commands) read 70.8% (Dutch 72.2%, English 66.7%): announcing by
# "verwittigen", "rondsturen", "verspreiden", and asking after "berichten" sent, read as the
# service desk, requests or tickets; it is tuning material since (announcements_blind.*.json).
# Then the form of a question was read apart from its subject (bot/commands/question_forms.py:
# "hoe ... ik" asks for instructions, "is mijn ..." for a state; the cues do not decide alone on
# a how-to question) and a word's letter groups were made to count less than the word: chosen
# by leaving each blind set out, 91.3% -> 92.8% on average. Set 14 (271 sentences after 43 that
# repeated earlier ones were dropped; blind, written from each command's meaning by an engineer
# who read neither the scorer nor the corpus) read 89.3% before those changes and 92.6% after
# (Dutch 92.8%, English 91.9%), each measured once; most misses are how-to and IT questions
# read as a command, and commands reached by words no sentence held. Leaving each of the 15
# blind sets out then reads 93.2% on average. With the examples settling two commands the cues
# scored alike when they are sure (not two the message names: understanding._settled), 93.9%.
# With the cues' reading weighed in where the examples decide (not on a how-to question) and the
# examples' log odds tempered, 95.1%. Set 15 (298 sentences after 20 that repeated earlier ones
# were dropped; blind, written from the commands' meanings by an engineer who read neither the
# scorer nor the corpus, with long contexts and needs described without a product's name) then
# read 86.9% (Dutch 85.0%, English 92.3%), the same as the code before that change: the
# leave-one-out mean promises more than a new writer's sentences give. 390 training sentences
# written by another engineer from the commands' meanings (train16.*.json, never shown set 15)
# raised it to 88.9% (a second reading, nothing chosen on it); leaving each of the 16 blind sets
# out then reads 94.9% on average. Two more engineers' 700 training sentences (train17, train18,
# written blind), a workspace before a product named only by a synonym, two named periods read
# as one span, and a colon's content: 95.3%, set 15 left out 92.3%. Set 16 (246 sentences after
# 59 that repeated earlier ones were dropped; a week of ordinary traffic, written blind by a
# fifth engineer) then read 87.0% (Dutch 87.7%, English 84.3%), measured once: a new writer's
# sentences still read some 8 points below the leave-one-out mean. Its misses: how-to questions
# about Power BI read as the licence form, "maak/registreer een ticket: <the problem>" read as a
# question for the knowledge base, two requests in one message read as one. With the verbs that
# file a ticket ("registreer", "raise", "log") 87.4%; leaving each of the 17 sets out, 94.8%.
# Then 743 more training sentences from two more blind writers, the parts of a message read by
# the examples too, and arguments read better (a day number joined to a dated day, a full name
# before a place, what a letter is about): 95.2%. Set 17 (290 sentences after 30 repeats were
# dropped; blind, by a sixth engineer: what 40 civil servants typed over two weeks, in their own
# words, never a command's name) read 91.0% (Dutch 90.5%, English 92.9%), measured once; the
# code this session began with read 84.1% on it. With its misses' arguments read better
# (sentences it taught nothing: the model never learnt it), 93.1%. Leaving each of the 18 blind
# sets out: 95.1%. Then the ticket form only when a person or a ticket is asked for, the parts
# of a message read first for two requests, 404 more training sentences (train22): 95.3%. Set
# 18 (250 sentences after 65 repeats were dropped; blind, by a ninth engineer: an acceptance
# test, 30 colleagues of every kind, ten messages each) read 91.6% (Dutch 90.6%, English
# 94.9%), measured once; the code this session began with read 88.8% on it. Leaving each of the
# 19 blind sets out: 95.0%. Fresh sets written by new hands read 4 to 8 points below that mean.
# Then 2,225 training sentences from six more blind writers (train23-28), a person of the desk
# asked for opening the ticket form, a keyword opening a message weighed with the examples, two
# commands named only when both read as a request, and arguments read better: leaving each of
# the 19 sets out, 95.7%. Sets 19 (296 sentences, an acceptance test by a tenth engineer: 30
# colleagues over a month) and 20 (238, a pilot week of 40 testers, by an eleventh) read 91.2%
# (Dutch 90.6%, English 93.2%) and 89.5% (Dutch 90.4%, English 86.7%), measured once (their
# sum was first seen in `make bench`'s held-out line); the code this session began with read
# 86.8% and 87.0% on them. With the examples overruling the cues when all but certain (95.3%
# left out), set 21 (247 sentences, a day in the life of 35 people, by a twelfth engineer)
# read 91.5% (Dutch 89.9%, English 95.6%), measured once; the code this session began with
# read 90.3% on it. Three more training batches (an English one, one on how-to questions
# against commands, one of older and younger staff) read 95.25%, 95.1% and 95.25% left out
# against 95.3% without, and were left out. An averaged perceptron beside naive Bayes, for what
# tells confused commands apart (bot/commands/perceptron.py): leaving each of the 22 sets out,
# 95.1% -> 95.3%. Set 22 (231 sentences after 29 repeats were dropped; the week after a
# reorganisation, 45 people, by a thirteenth engineer) read 94.8% (Dutch 94.1%, English 97.8%),
# measured once; the code this session began with read it the same, 94.8%. Then delegation days
# ("volgende week donderdag en vrijdag", "from the 14th to the 23rd of December", "morge"), only
# verbs read as separable, a greeting with a question mark anywhere no mere greeting, and a
# problem passed on to the desk as the ticket form: 95.6% leaving each of the 23 sets out. Set
# 23 (227 sentences after 33 repeats were dropped; the first two weeks of December, by a
# fourteenth engineer) read 93.4% (Dutch 92.9%, English 95.6%), measured once; the code this
# session began with read 91.2% on it. Then the open post said as spoken ("nog ni behandeld"),
# "bel mij op" for a person of the desk, a colleague and days for a delegation: 95.5% leaving
# each of the 24 sets out. Set 24 (216 sentences after 44 repeats were dropped; the roll-out in
# two new entities, by a fifteenth engineer) read 92.1% (Dutch 89.9%, English 100%), measured
# once; the code this session began with read 88.9% on it. Then "heb ik X al, of moet ik het
# aanvragen?" asked between the access card and the licence form: 95.6% leaving each of the 25
# sets out. Sets 25 (236 sentences after 24 repeats were dropped; the week before Christmas, by a
# sixteenth engineer) and 26 (215 after 45; newcomers and field workers, by a seventeenth) read
# 94.1% (Dutch 95.2%, English 90.0%) and 95.8% (Dutch 95.8%, English 95.8%), 94.9% together,
# measured once; the code this session began with read 94.1% and 95.3%. Then "post an
# announcement", the text after a colon the ticket's or the announcement's own, "meld een
# probleem", a first name before "Van Damme", a delegation that stops on a day: 95.8% leaving
# each of the 27 sets out. Sets 27 (201 sentences after 59 repeats were dropped; one ordinary
# Thursday at the helpdesk, by an eighteenth engineer) and 28 (216 after 44; a pilot in three
# entities, by a nineteenth) read 95.5% (Dutch 94.6%, English 100%) and 94.0% (Dutch 93.0%,
# English 97.8%), measured once; the code this session began with read 95.0% and 93.1%. The
# four sets of this session together: 823 of 868, 94.8%. Then a signature, wishes and "terug
# van opleiding" no argument, post filters read through typos, and the licence catalogue's
# descriptions choosing the member of a family only named ("welke power bi voor gepagineerde
# rapporten"): 96.0% leaving each of the 29 sets out. Sets 29 (227 sentences after 33 repeats
# were dropped; January, by a twentieth engineer) and 30 (228 after 32; a usability test, ten
# tasks in 26 people's words, by a twenty-first) read 93.0% (Dutch 92.7%, English 94.0%) and
# 97.4% (Dutch 97.1%, English 98.1%), measured once; the code this session began with read
# 92.5% and 97.4%. The six sets of this session together: 1,256 of 1,323, 94.9%. Then a
# place or a team in a sentence about one's own account nobody to look up: 95.9% leaving each
# of the 31 sets out. Sets 31 (214 sentences after 46 repeats were dropped; a month of one
# large department, by a twenty-second engineer) and 32 (190 after 70; an incident week, by a
# twenty-third) read 94.9% (Dutch 94.8%, English 95.1%) and 93.2% (Dutch 92.2%, English
# 97.3%), measured once; the code this session began with read 94.9% and 91.1%. The eight
# sets of this session together: 1,636 of 1,727, 94.7%. Then a full name typed after the
# command's words, capitals or not, "moet ik dat nog aanvragen?" asked which, "post doorgeven
# aan Lore" a delegation: 95.9% leaving each of the 33 sets out. Sets 33 (197 sentences after
# 63 repeats were dropped; the first week after the launch, by a twenty-fourth engineer) and
# 34 (201 after 59; an ordinary fortnight, by a twenty-fifth) read 95.9% (Dutch 94.9%, English
# 100%) and 96.0% (Dutch 95.7%, English 97.3%), measured once; the code this session began
# with read 94.9% and 95.5%. The ten sets of this session together: 2,018 of 2,125, 95.0%
# (94.96%); the code it began with read 94.4% on them. Sets 35 (201 sentences after 59
# repeats were dropped; AWV's districts, by a twenty-sixth engineer), 36 (218 after 42;
# first-timers and power users, by a twenty-seventh) and 37 (192 after 68; finance and
# facilities before the budget deadline, by a twenty-eighth) read 96.5%, 89.9% and 97.9%,
# measured once; the code this session began with read 96.5%, 88.1% and 97.4%. Set 36's
# power users type the command's own syntax ("post fluvius", "status an peeters"), which this
# judge read through the understanding step only, not as the dispatcher runs it (the text
# after the keyword). The judge then read as the dispatcher does, and the dispatcher gave a
# message opening with a keyword what the understanding step read in it, the raw remainder
# only when it read nothing ("status van Griet Vandenbroucke aub" had found nobody): the same
# three sets then read 96.5%, 91.7% and 97.9% (no longer blind: the change came from them).
# Sets 38 (181 sentences after 59 repeats were dropped; an acceptance test at ADV and DOMG,
# by a twenty-ninth engineer) and 39 (202 after 38; messages from phones, dictated and
# autocorrected, by a thirtieth) read 93.9% (Dutch 95.0%, English 90.0%) and 91.6% (Dutch
# 92.1%, English 89.5%) with the session's last code, measured once; the code this session
# began with read 93.4% and 90.6%. The fifteen sets of this session: 2,951 of 3,119, 94.6%
# (the code it began with 94.0%); set by set from 89.9% to 97.9%. Sets 40 to 43 (169, 185,
# 182 and 184 sentences after 81, 65, 68 and 66 repeats were dropped; the Monday after a long
# weekend, older staff and trainees, the fortnight before Christmas, the bot mentioned in the
# middle of a conversation; four more engineers, from a brief rewritten this session that
# swapped DFB and AFB and asked a stopped delegation to end today, both corrected in the labels
# before the second reading) read 89.3%, 90.3%, 86.8% and 88.6% as written and 92.9%, 93.0%,
# 90.1% and 91.3% with those labels corrected (661 of 720, 91.8%), measured once on the code
# of the session's start: people who ask a person to call or come by in words of their own,
# ask after "mijn vragen aan de servicedesk", and say a delegation's days the long way. Then
# an opening keyword overruled by examples all but certain of another command, those days
# read, a ticket asked to be made, "mijn vragen aan de servicedesk" one's tickets: leaving each
# of the 44 sets out 9,282 -> 9,318 right of 9,729 (95.8% on average). Sets 44 to 49 (160,
# 181, 157, 161, 183 and 176 sentences after 67 to 93 repeats each were dropped; an AWV
# district office, Power BI analysts, the first day the bot was announced, a service-desk week,
# the mailroom and its customers, a reorganisation; six more engineers, from the corrected
# brief) then read 95.6%, 93.9%, 93.0%, 95.0%, 85.2% and 93.2% (942 of 1,018, 92.5%),
# measured once; the code this session began with read 91.7% on them. The mailroom's set asks
# for letters by the reference on the envelope ("brief ref 4471/KB/26") and how the scanning
# works. Then a letter's reference searched whole and new greetings. Sets 50 to 55 (197, 172,
# 167, 178, 166 and 159 sentences after 53 to 91 repeats each were dropped; an ordinary
# Wednesday of 60 people, part-timers and returners, people in a hurry with abbreviations,
# managers, an incident Monday, regional Flemish; six more engineers) read 94.9%, 91.9%,
# 85.6%, 96.6%, 93.4% and 97.5% (970 of 1,039, 93.4%), measured once; the code this session
# began with read 92.4% on them. Abbreviations ("tkt", "lic", "pst", "vd") are most of set
# 52's misses. Then shorthand read ("tkt", "lic", "pst"), an item named by its own word
# before one named by a need, one's own after a keyword no one to look up. Sets 56 to 59
# (160, 134, 179 and 125 sentences after 71 to 125 repeats each were dropped; a Friday before a
# long weekend, a usability study's ten tasks, questions on the border between a command and
# the knowledge base written to look alike, experienced users three months on; four more
# engineers) read 94.4%, 93.3%, 73.7% and 97.6% (530 of 598, 88.6%; without the border set
# 95.0%), measured once; the code this session began with read 92.5%, 91.8%, 72.1% and 97.6%.
# Questions about how a command's rules work ("kan ik mijn post aan twee collega's tegelijk
# laten doorsturen?", "wie moet mijn licentieaanvraag goedkeuren?") are read as the command.
# The twenty sets of this session: 3,103 of 3,375, 91.9% (the code it began with 91.1%).
# Sets 60 to 64 (198, 191, 182, 185 and 193 sentences after 52 to 68 repeats each were
# dropped; questions on how a command's rules work written beside the commands they are about,
# a new starter's first weeks, typed on a phone, the end of the year, an international team
# mixing languages; five more engineers) read 59.1%, 91.6%, 88.5%, 85.9% and 93.3% (792 of
# 949, 83.5%), measured once: rule questions ("worden pakjes ook gescand?", "wie keurt een
# aanvraag goed als mijn baas met verlof is?") read as the command they are about, 81 of
# them. Then such questions read by the examples alone with a lean to the knowledge base,
# "niet" before handled, names with "D'", references in numbers: leaving each of the 65 sets
# out 12,610 -> 12,642 right of 13,333. Sets 65 to 68 (181, 191, 180 and 163 sentences after
# 59 to 87 repeats each were dropped; an AWV regional office, annoyed and worried people
# writing at length, the roles at work, an ordinary Thursday by a tester; four more engineers)
# read 91.2%, 81.7%, 95.6% and 87.7% (636 of 715, 89.0%), measured once; the code this
# session began with read 86.3% on them. Long complaints that end in a request read worst.
# Then whether one has a licence leaning to the access card, a full stop ending a name, a
# sender's form of address dropped. Sets 69 to 72 (176, 168, 182 and 172 sentences after 68
# to 82 repeats each were dropped; a Monday at the Departement Omgeving, questions about one's
# own situation, the post in depth, licences and access in depth; four more engineers) read
# 90.3%, 92.3%, 81.3% and 85.5% (609 of 698, 87.2%), measured once; the code this session
# began with read 85.5%. Set 71's writer kept a sender's "familie" or "mevr." in the search,
# which the reader drops. The fourteen sets of this session: 2,037 of 2,362, 86.2% (the code
# it began with 84.9%). Then named days, day ranges and week numbers, names and searches
# read more like people write them, the status argument read as the dialog reads it (whom),
# rule questions asking whether something is needed, a call back asked for as a ticket.
# Sets 73 to 76 (172, 180, 199 and 170 sentences after 51 to 80 repeats each were dropped;
# an ordinary Tuesday at the Facilitair Bedrijf, the holidays coming, people who explain
# before they ask, DFB in budget season; four more engineers) read 92.4%, 94.4%, 88.9% and
# 90.6% (660 of 721, 91.5%), measured once; the code this session began with read 89.2%
# (89.5% with the status argument read as now). Rule questions and which of two lists
# ("staat er nog iets open van mij?") read worst. Sets 77 to 80 (185, 189, 186 and 209
# sentences after 41 to 65 repeats each were dropped; a week at AWV in the field, new starters
# at DOMG, the week before the Christmas holidays, doubts rather than orders; four more
# engineers, from a brief written anew) read 83.8%, 83.6%, 84.9% and 86.6% (652 of 769,
# 84.8%), measured once, on the code this session began with. The new brief said "something
# broken that needs a person = ticket", where the corpus sends a complaint that asks for no
# one to the knowledge base (whose answer offers a person): 17 of the 117 misses are such
# complaints, relabelled after the measure (the sets' other sentences keep their writers').
# Sets 81 to 84 (212, 220, 212 and 223 sentences after 27 to 38 repeats each were dropped;
# the mailroom's new scanning line, Power BI season at DFB, the desk after a failed Windows
# update, part-timers and returners before the holidays; four more engineers, from the brief
# corrected on complaints and on "ambiguous") read 92.5%, 90.5%, 89.2% and 91.5% (788 of
# 867, 90.9%; Dutch 90.7%, English 91.7%), measured once, on the code this session began
# with. A person asked for after a complaint ("..., kan iemand dat eens bekijken?") read
# worst: 17 of the 79 misses. Then someone asked to act read as a person of the desk asked
# for, a colleague named with one's post as the delegation's cue, report weekdays, an edition
# said alone ("een pro"), quoted and kinds of letters searched, months one is away in: leaving
# each of the 85 sets out 16,185 -> 16,224 of 17,103. Sets 85 to 88 (222, 233, 208 and 208
# sentences after 17 to 42 repeats each were dropped; January back from the holidays, people
# who write as they talk, the admins' week, an AWV regional office; four more engineers, from
# the same brief, written mid-session and not read until then) read 92.8%, 92.7%, 93.3% and
# 94.2% (812 of 871, 93.2%; Dutch 92.4%, English 96.8%), measured once, on the session's last
# code; the code this session began with read 91.5% (797) on them, one message of set 88
# ("... -_-") failing in the examples' model, a bug fixed before this measure.
# Sets 89 to 92 (187, 187, 185 and 201 sentences after 63, 63, 65 and 49 repeats were dropped;
# the Christmas closure, an onboarding week, team leads and approvers, people in the field;
# four more engineers, from the brief written anew with "deze week" in a report ending today)
# read 93.6%, 90.9%, 90.3% and 93.0% (699 of 760, 92.0%; Dutch 91.4%, English 94.2%),
# measured once, on the code this session began with. A person of the desk asked for after a
# complaint read worst again (15 of the 61 misses), then rule questions (9). Then a person of
# the desk asked for as a lean to the ticket, references Werkplek wrote (LIC-, SD-), "tickets"
# never a new one, searches narrowed to the words that occur, days said with "vanaf" or "tot":
# leaving each of the 93 sets out 17,753 -> 17,796 of 18,734 (17,050 -> 17,073 on the 89 sets
# read before). Sets 93 to 96 (176, 183, 184 and 188 sentences after 74, 67, 66 and 62 repeats
# were dropped; a Monday after a long weekend at ADV, a reorganisation at DOMG, people in a
# hurry, a mixed-language team; four more engineers, from the same brief, written mid-session
# and not read until then) read 95.5%, 97.8%, 96.2% and 94.1% (701 of 731, 95.9%; Dutch 95.9%,
# English 95.7%), measured once, on the session's last code; the code this session began with
# read 95.6% (699) on them. Of the 30 misses, a question between two commands the writer
# asked for (12) and rule questions (5) read worst; "I'm back from Lisbon" read Lisbon as a
# delegate (a bug of this session, mended after the measure).
# Sets 97 to 100 (208, 174, 184 and 204 sentences after 42, 76, 66 and 46 repeats were
# dropped; the week after stricter MFA and new laptops at DFB and AWV, a usability study at AFB
# and ADV, field staff on their phones, the last weeks of the year; four more engineers, from
# the same brief written anew) read 91.3%, 97.1%, 91.8% and 94.6% (721 of 770, 93.6%; Dutch
# 92.8%, English 96.8%), measured once, on the code this session began with. Of the 49
# misses: an app or device problem read as the access card (6), "heb ik al Power BI?" with
# context read as a question for the desk (5), a person of the desk asked for (3), an
# approver's queue asked in a sentence (3), a product named to an admin's catalogue (2).
# Then a person asked about a sign-in complaint one ticket, a have-question of its own read
# apart from why one asks, OneDrive's sync and an app's "geen meldingen" no command's, a full
# name before a single capitalised word the delegate: leaving each of the 101 sets out 19,222
# -> 19,243 of 20,235 (18,459 -> 18,468 on the 97 sets read before). Sets 101 to 104 (199,
# 206, 194 and 189 sentences after 51, 44, 56 and 61 repeats were dropped; a help-desk
# shadowing day, the paper-mail side, licences in a data-minded department, the first month
# after the launch; four more engineers, from the same brief, written mid-session and not read
# until then) read 94.0%, 93.7%, 88.1% and 94.7% (730 of 788, 92.6%; Dutch 92.1%, English
# 94.5%), measured once, on the session's last code; the code this session began with read
# 92.3% (727) on them. Of the 58 misses, rule questions read worst (8, half of them who may
# have a licence: "mogen stagiairs Power BI krijgen?"), with a question between two commands
# the writer asked for (8), then the words a post search keeps (6).
# Sets 105 to 108 (193, 182, 186 and 202 sentences after 57, 68, 64 and 48 repeats were
# dropped; a Monday after a laptop migration at DOMG and ADV, the end of the year at AFB and
# DFB, older staff at AWV district offices writing long mails, an international data team;
# four more engineers, from the brief written anew) read 96.4%, 95.6%, 91.9% and 94.1% (721 of
# 763, 94.5%; Dutch 94.1%, English 96.1%), measured once, on the code this session began with.
# Of the 42 misses: rule questions read as the licence form (6: "wie mag er Power BI Pro
# krijgen?", "can interns get ..."), "heb ik ...?" with context read as a request (4), a
# question between two commands the writer asked for (4).
# Then who may and what a group may were read as rule questions, a have-question kept the
# access card, a signature of short lines was no argument: leaving each of sets 85 to 108 out
# 4,439 -> 4,458 of 4,683. Sets 109 to 112 (200, 205, 193 and 170 sentences after 50, 45, 57
# and 80 repeats were dropped; the service desk's chat log of a January week at DFB and AWV,
# policy advisers and lawyers at ADV and AFB, technicians typing on phones between site visits,
# a mixed day across the five entities; four more engineers, from the same brief, written
# mid-session and not read until then) read 90.5%, 95.6%, 93.3% and 94.1% (717 of 768, 93.4%;
# Dutch 92.8%, English 95.9%), measured once, on the session's last code; the code this session
# began with read 93.2% (716) on them. Of the 51 misses: whether one has a workspace or a
# licence read as the licence form (5: "heb ik nog toegang tot de workspace ruimtelijke data"),
# a question between two commands the writer asked for (5), rule questions about the post (5),
# the service desk's queue in other words (3).
# Then rule questions about one's own use and in a role, a person of the desk asked for and
# a have-question decided (a ticket, the access card) where the examples read otherwise, a
# product named alone with a question mark asked about, "+" as a joiner, and report periods,
# report entities and delegates read better: leaving each of sets 85 to 112 out, 5,182 ->
# 5,203 of 5,451 (95.07% -> 95.45%). Sets 113 to 116 (210, 197, 202 and 199 sentences after
# 40, 53, 48 and 51 repeats were dropped; newcomers' first weeks at DFB and DOMG, AWV's field
# staff on their phones, AFB's and ADV's legal and secretariat staff and their mailroom, a
# busy day seen from the service desk; four more engineers, from the brief written anew,
# written at the session's start and not read until then) read 96.2%, 96.4%, 95.0% and 96.0%
# (775 of 808, 95.9%; Dutch 96.4%, English 94.0%), measured once, on the session's last code;
# the code this session began with read 95.4% (771) on them. Of the 33 misses: the right
# command with a name, a search or an item read wrong (11), a question between two commands
# the writer asked for (7), a person of the desk asked for in new words (5: "open an
# incident", "graag interventie aan de pc"), which workspaces or rights one has read as the
# licence form (5).
# The issue asks 95% on unseen sentences: two waves reached it (95.9%, and 95.9% on sets 113
# to 116), the four between them did not (93.6%, 92.6%, 94.5%, 93.4%), nor the two before
# (93.2%; 92.0%): the waves differ by more than the code does.
# This floor keeps the honest figure from sliding back. Raise it when a NEW held-out set,
# measured before any tuning for it, does better.
HELD_OUT_BAR = 0.95

_CATALOGUE = demo_catalogue()
_EXTRA = {
    "licence": tuple(
        term for item in _CATALOGUE.items for term in (item.name_nl, item.name_en, *item.synonyms)
    )
}
_SPECS = command_specs()


@dataclass(frozen=True, slots=True)
class Outcome:
    utterance: Utterance
    got: str
    problem: str  # "" when right

    @property
    def right(self) -> bool:
        return not self.problem


def _expected(utterance: Utterance) -> str:
    if utterance.expect == AMBIGUOUS:
        assert utterance.between, utterance.text
        return "ask:" + "/".join(sorted(utterance.between))
    return utterance.expect


def _label(result: Understanding) -> str:
    if result.verdict is Verdict.COMMAND:
        return result.ranked[0].name
    if result.verdict is Verdict.ASK:
        return "ask:" + "/".join(sorted(c.name for c in result.choices))
    if result.verdict is Verdict.GREETING:
        return GREETING
    return SERVICEDESK


def judge(utterance: Utterance, model: ExampleModel | None = None) -> Outcome:
    """The utterance read as the dispatcher reads it (bot/commands/dispatcher.py, on_text and
    _arguments), with the shipped model unless `model` (tests/understanding/crossval.py passes
    one that never learnt the utterance's set): a keyword alone runs its command; where the
    understanding step read no arguments in a message that opens with the winner's keyword,
    the command gets the text after the keyword."""
    allowed: list[CommandSpec] = [spec for spec in _SPECS if spec.allows(utterance.roles)]
    explicit = _KEYWORDS.explicit(utterance.text)
    if explicit is not None and not explicit.args and explicit.command.spec in allowed:
        got, args = explicit.command.spec.name, ""
    else:
        result = understand(utterance.text, allowed, _EXTRA, model or corpus_model())
        got = _label(result)
        winner = result.winner
        args = given_arguments(explicit, winner) if winner is not None else None
    if got != _expected(utterance):
        return Outcome(utterance, got, f"expected {_expected(utterance)}")
    if args is not None:
        return Outcome(utterance, got, _wrong_arguments(got, args, utterance))
    return Outcome(utterance, got, "")


def _keywords() -> Registry:
    """The commands' keywords as the dispatcher's registry holds them (no handlers needed)."""
    registry = Registry()
    for spec in _SPECS:
        registry._add_command(BoundCommand(spec, _no_handler))  # the registry's own indexing
    return registry


async def _no_handler(dialog: object, turn: object, args: str) -> None:
    raise AssertionError("the judge runs no command")


_KEYWORDS = _keywords()


def _wrong_arguments(command: str, args: str, utterance: Utterance) -> str:
    """What the command's own parser reads in args, against the labels; "" when it agrees."""
    read = _read(command, args, agent=may_act_as(utterance.roles, Role.AGENT))
    wrong = {key: (read.get(key), value) for key, value in utterance.args.items()}
    wrong = {key: pair for key, pair in wrong.items() if fold(str(pair[0])) != fold(pair[1])}
    return f"arguments {args!r}: {wrong}" if wrong else ""


def _read(command: str, args: str, *, agent: bool) -> dict[str, str]:
    if command == "post":
        filters = parse_filters(args)
        return {
            "search": filters.search,
            "scope": filters.scope.value,
            "registered": "yes" if filters.registered else "no",
            "this_week": "yes" if filters.this_week else "no",
        }
    if command == "post_delegation":  # as the dialog reads it, with or without an end
        asked = read_delegation(args, TODAY)
        read = {"person": asked.name, "starts": _iso(asked.starts)}
        return read | ({"ends": _iso(asked.ends)} if asked.ends else {})
    if command == "status":  # whom the card is about: "" is the caller's own
        return {"person": whom(args, "", agent=agent)}
    if command == "licence":
        matches = _CATALOGUE.match(args, "", forms_near(_CATALOGUE.words("")))
        return {"item": matches[0].key if matches else ""}
    if command in ("licence_report", "ticket_report"):
        parse = parse_report_ask if command == "licence_report" else parse_ticket_report_ask
        try:
            ask = parse(args, TODAY, _CATALOGUE.entities)
        except DomainError as error:
            return {"entity": f"(refused: {error.message_key})"}
        return {"starts": _iso(ask.start), "ends": _iso(ask.end), "entity": ask.entity}
    return {}


def _iso(day: date) -> str:
    return day.isoformat()


def report(title: str, outcomes: Iterable[Outcome], *, details: bool = True) -> float:
    """Accuracy per expected label and every confusion, printed; the overall accuracy."""
    done = list(outcomes)
    per_label: dict[str, Counter[bool]] = defaultdict(Counter)
    for outcome in done:
        per_label[outcome.utterance.expect][outcome.right] += 1
    right = sum(outcome.right for outcome in done)
    print(f"\n{title}: {right}/{len(done)} = {right / len(done):.1%}")
    if not details:
        return right / len(done)
    for label, counts in sorted(per_label.items()):
        total = counts[True] + counts[False]
        print(f"  {label:<18} {counts[True]:>4}/{total:<4} {counts[True] / total:6.1%}")
    for outcome in done:
        if not outcome.right:
            u = outcome.utterance
            roles = ",".join(sorted(r.value for r in u.roles))
            print(f"  ✗ {u.text!r} [{roles}] -> {outcome.got}: {outcome.problem}")
    return right / len(done)


DUTCH, ENGLISH = load("nl"), load("en")
TUNING = [*DUTCH.tuning, *ENGLISH.tuning]
HELD_OUT = [*DUTCH.held_out, *ENGLISH.held_out]


def test_the_corpus_is_as_large_as_the_issue_asks() -> None:
    assert len(DUTCH.tuning) + len(DUTCH.held_out) >= 200
    assert len(ENGLISH.tuning) + len(ENGLISH.held_out) >= 60
    # Sentences written as held-out sets, before the scorer was run on them (tuned on since or not).
    assert sum(u.split != TRAIN for u in TUNING + HELD_OUT) >= 100


def test_labels_name_registered_commands() -> None:
    names = {spec.name for spec in _SPECS} | {GREETING, SERVICEDESK, AMBIGUOUS}
    for utterance in TUNING + HELD_OUT:
        assert utterance.expect in names, utterance.text
        assert set(utterance.between or ()) <= names, utterance.text
        expected_spec = next((s for s in _SPECS if s.name == utterance.expect), None)
        if expected_spec is not None:
            assert expected_spec.allows(utterance.roles), f"{utterance.text}: role"


def test_the_whole_corpus_is_understood() -> None:
    outcomes = [judge(u) for u in TUNING + HELD_OUT]
    for language, corpus in (("Dutch", DUTCH), ("English", ENGLISH)):
        mine = {id(u) for u in (*corpus.tuning, *corpus.held_out)}
        report(language, (o for o in outcomes if id(o.utterance) in mine), details=False)
    for split in sorted({o.utterance.split for o in outcomes}):
        report(f"split {split}", (o for o in outcomes if o.utterance.split == split), details=False)
    accuracy = report("whole corpus", outcomes)
    assert accuracy >= WHOLE_CORPUS_BAR


def test_the_held_out_sentences_are_understood() -> None:
    accuracy = report("held out", (judge(u) for u in HELD_OUT))
    assert accuracy >= HELD_OUT_BAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is mijn account in orde?", "status"),
        ("heb ik MFA ingesteld?", "status"),
        ("is mijn toestel in orde?", "status"),
        ("welke licenties heb ik?", "status"),
        ("wat is de status van mijn aanvraag?", "requests"),
        ("ik wil toegang tot de werkruimte Verkeersdata", "licence"),
        ("is mijn aanvraag al goedgekeurd?", "requests"),
        ("ik wil mijn aanvraag annuleren", "requests"),
        ("stuur mijn post door naar Sofie Peeters van 14/12 tot 24/12", "post_delegation"),
        ("hallo", GREETING),
        ("wat kan je allemaal?", "help"),
        ("wie is mijn leidinggevende?", "profile"),
        ("wat zijn de regels voor thuiswerk?", SERVICEDESK),
    ],
)
def test_the_issues_own_sentences(text: str, expected: str) -> None:
    outcome = judge(Utterance(text, expected))
    assert outcome.got == expected
