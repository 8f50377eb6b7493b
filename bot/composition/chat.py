"""Chat: every dialog on its capability's services, the admins' workbooks in chat included.

Built by a serving process only (the Teams host dispatches to it), after start: importing this
module loads the dialogs and their cards.
"""

from __future__ import annotations

from bot.composition import Capabilities
from bot.excel.workbook_kind import workbook_kind
from bot.ports.platform import Directory
from bot.services.platform.workbooks import WorkbookFiles
from bot.settings import Settings
from dialogs import Dialogs, build_dialogs
from dialogs.licences.admin import LicenceAdminDialog
from dialogs.post.rules import PostRulesAdminDialog


def build_chat(settings: Settings, directory: Directory, capabilities: Capabilities) -> Dialogs:
    platform, licences, post = capabilities.platform, capabilities.licences, capabilities.post
    return build_dialogs(
        directory=directory,
        auditor=platform.auditor,
        servicedesk_url=settings.servicedesk_url,
        access=capabilities.access.status,
        zone=settings.zone,
        licences=licences.desk,
        licence_admin=LicenceAdminDialog(
            licences.desk, licences.catalogue_import, platform.auditor, platform.links
        ),
        post=post.desk,
        post_rules_admin=PostRulesAdminDialog(post.rules_admin, platform.links),
        workbook_files=WorkbookFiles(platform.downloads, workbook_kind, settings.max_upload_bytes),
        # Personal answers asked for in a channel or group chat go to the 1:1 chat this way.
        notifier=platform.notifier,
    )
