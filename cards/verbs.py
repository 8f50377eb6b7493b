"""Every Action.Execute verb the bot understands. A card may only use verbs from this enum."""

from enum import StrEnum


class Verb(StrEnum):
    RUN_COMMAND = "command.run"  # a button that runs a registered command (welcome, suggestions)
    HELP_DETAILS = "help.details"  # toggles the help card between short and with examples
    ACCESS_REFRESH = "access.refresh"  # re-runs the access checks; the card updates in place
    ACCESS_SHOW = "access.show"  # an agent picks one person from a search's pick list
    # Licences (dialogs/licences/requests.py). Every payload names a request by id; the desk checks
    # the clicker's right to act on it, never the card.
    LICENCE_PICK = "licence.pick"  # the request form for one item (no item: the picker again)
    LICENCE_SUBMIT = "licence.submit"  # the request form sent; its inputs come in the data
    LICENCE_CANCEL = "licence.cancel"  # the requester withdraws a request nothing was granted for
    LICENCE_AGAIN = "licence.again"  # the form filled from an earlier request: resubmit or extend
    LICENCE_APPROVE = "licence.approve"  # an approver approves the stage on the card
    LICENCE_REJECT = "licence.reject"  # an approver refuses it (with a reason)
    LICENCE_VIEW = "licence.view"  # an approval card's refresh: the version for this viewer now
    LICENCE_RETRY = "licence.retry"  # an ICT admin fixed what blocked granting: try again now
    # Incoming post (dialogs/post/items.py). Every payload names an item (or a delegation) by id;
    # the post desk checks that the clicker may see it and may take that step, never the card.
    POST_OPEN = "post.open"  # a short-lived signed link to the scan, made for the clicker
    POST_HANDLE = "post.handle"  # "Afgehandeld"
    POST_ACKNOWLEDGE = "post.acknowledge"  # receipt of a registered or legal item confirmed
    POST_FORWARD = "post.forward"  # to a colleague from the people picker, with a note
    POST_NOT_FOR_ME = "post.not_for_me"  # back to the mailroom's triage, with a reason
    POST_ORIGINAL = "post.original"  # ask the mailroom for the paper original
    POST_ROUTE = "post.route"  # the mailroom routes a triage item to a person (people picker)
    POST_SUGGEST_RULE = "post.suggest_rule"  # a routed item becomes a routing rule suggestion
    POST_PAGE = "post.page"  # the `post` list: another page or other filters
    POST_REFRESH = "post.refresh"  # one item's card as it is now (from the list, or a refresh)
    POST_DELEGATION_ADD = "post.delegation.add"  # a delegate picked from several name matches
    POST_DELEGATION_CANCEL = "post.delegation.cancel"  # stop forwarding one's post
    # Service desk (dialogs/servicedesk/knowledge.py). A search is named by its reference; the
    # store takes an answer only from the person who asked, once.
    ARTICLE_FEEDBACK = "servicedesk.article.feedback"  # "Heeft dit geholpen?" Ja / Nee
    ARTICLE_SHOW = "servicedesk.article.show"  # one of the other articles offered after "Nee"
    # Tickets (dialogs/servicedesk/tickets.py). Every payload names a ticket by id; the ticket
    # desk checks that the clicker asked it (the person's verbs) or works its desk (the agents').
    TICKET_FORM = "servicedesk.ticket.form"  # the form, with a question or a reference filled in
    TICKET_SUBMIT = "servicedesk.ticket.submit"  # the form sent
    TICKET_VIEW = "servicedesk.ticket.view"  # one of my tickets
    TICKET_ANSWER = "servicedesk.ticket.answer"  # the person writes on their ticket
    TICKET_REOPEN = "servicedesk.ticket.reopen"  # the person reopens a resolved ticket
    TICKET_RATE = "servicedesk.ticket.rate"  # "Ben je geholpen?" 1 to 5
    TICKET_TAKE = "servicedesk.ticket.take"  # an agent takes it
    TICKET_REPLY = "servicedesk.ticket.reply"  # an agent answers the person
    TICKET_NOTE = "servicedesk.ticket.note"  # an internal note
    TICKET_RESOLVE = "servicedesk.ticket.resolve"  # an agent resolves it
    TICKET_DESK_REOPEN = "servicedesk.ticket.desk_reopen"  # an agent takes a resolved one back up
    TICKET_DESK_VIEW = "servicedesk.ticket.desk_view"  # an agent opens its card from the queue
    TICKET_ASSIGN = "servicedesk.ticket.assign"  # an agent gives it to a colleague of the desk
    TICKET_CHANGE = "servicedesk.ticket.change"  # an agent changes its category or urgency
    TICKET_RELAY_YES = "servicedesk.relay.yes"  # add this message, and the next, to my ticket
    TICKET_RELAY_NO = "servicedesk.relay.no"  # not for my ticket (not asked again)
    TICKET_RELAY_STOP = "servicedesk.relay.stop"  # my messages no longer go to the ticket
    # Files on tickets (dialogs/servicedesk/ticket_files.py): a ticket and one of its files by id;
    # the files service checks that the clicker asked the ticket or works its desk.
    TICKET_FILE = "servicedesk.ticket.file"  # a link to the file, in the clicker's 1:1 chat only
    # Announcements (dialogs/announcements/). Every payload names an announcement by id; the
    # service checks that the clicker wrote it (or may decide on it, or received it), never the
    # card.
    ANNOUNCEMENT_FORM = "announcement.form"  # the form: a new draft, or an editable one by id
    ANNOUNCEMENT_SAVE = "announcement.save"  # the form sent: store the draft (inputs in the data)
    ANNOUNCEMENT_PREVIEW = "announcement.preview"  # the real card to the author's own chat
    ANNOUNCEMENT_DUPLICATE = "announcement.duplicate"  # a new draft with the same text and audience
    ANNOUNCEMENT_DELETE = "announcement.delete"  # a draft deleted
    ANNOUNCEMENT_SUBMIT = "announcement.submit"  # send now or at its time (or ask for approval)
    ANNOUNCEMENT_APPROVE = "announcement.approve"  # another comms person approves it
    ANNOUNCEMENT_REJECT = "announcement.reject"  # ... or sends it back with a note
    ANNOUNCEMENT_CANCEL = "announcement.cancel"  # stop it before or while it is sent
    ANNOUNCEMENT_RECALL = "announcement.recall"  # delete the messages already sent
    ANNOUNCEMENT_STATUS = "announcement.status"  # its status card (figures) again
    ANNOUNCEMENT_REPORT = "announcement.report"  # a signed link to its workbook report
    ANNOUNCEMENT_REMIND = "announcement.remind"  # remind who has not acknowledged it
    ANNOUNCEMENT_ACKNOWLEDGE = "announcement.acknowledge"  # a recipient's "Gelezen en begrepen"
    ANNOUNCEMENT_LIST = "announcement.list"  # my announcements with their state
