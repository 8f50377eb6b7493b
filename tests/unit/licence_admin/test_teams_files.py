"""Files sent to the bot in a Teams personal chat become `turn.files`; nothing else does."""

from __future__ import annotations

from microsoft_agents.activity import Activity

from bot.teams.turn import files_of
from bot.turn import IncomingFile


def _activity(*attachments: dict[str, object]) -> Activity:
    return Activity.model_validate(
        {"type": "message", "text": "", "attachments": list(attachments)}
    )


def test_a_teams_file_download_info_is_a_file() -> None:
    activity = _activity(
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "contentUrl": "https://contoso-my.sharepoint.com/personal/an/Documents/catalogus.xlsx",
            "name": "catalogus.xlsx",
            "content": {
                "downloadUrl": "https://contoso-my.sharepoint.com/download.aspx?tempauth=abc",
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
                "fileType": "xlsx",
            },
        }
    )
    assert files_of(activity) == (
        IncomingFile(
            "catalogus.xlsx",
            "https://contoso-my.sharepoint.com/download.aspx?tempauth=abc",
            "xlsx",
        ),
    )


def test_cards_inline_images_and_broken_entries_are_not_files() -> None:
    activity = _activity(
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": {"type": "x"}},
        {"contentType": "image/png", "contentUrl": "https://smba.example/img"},
        {"contentType": "text/html", "content": "<p>hallo</p>"},
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": "zonder-link.xlsx",
            "content": {"uniqueId": "x"},
        },
    )
    assert files_of(activity) == ()
    assert files_of(Activity.model_validate({"type": "message", "text": "hulp"})) == ()
