"""One base error for everything leadloop expects to go wrong.

The core raises these with a message that starts with *where* ("leads.csv:17: ...",
"leadloop.toml: ..."); the CLI alone turns them into one line on stderr and an exit
code (SPEC §4: 1 the work could not be done, 2 bad usage or bad input).
"""


class LeadloopError(Exception):
    """An expected failure, reported as one sentence without a traceback."""

    exit_code = 2


class InputError(LeadloopError):
    """Bad input: an unreadable file, an invalid config, an unknown lead, a template error."""

    exit_code = 2


class ConfigError(InputError):
    """The configuration file is missing a value or holds a wrong one."""


class TemplateError(InputError):
    """A template cannot be found or does not render."""


class MessageError(InputError):
    """One lead's message cannot be made (its locale, its data) while the templates are
    sound: that message fails alone, named by the lead's address (SPEC §6)."""


class LeadNotFound(InputError):
    """No lead has that address."""


class InvalidAddress(InputError):
    """An e-mail address that email-validator's rules reject."""


class DeliveryError(LeadloopError):
    """The work could not be done: server unreachable, authentication failed, sends failed."""

    exit_code = 1


class SenderRefused(DeliveryError):
    """The server refused mail because of the sender or the message, not a lead (SPEC §6):
    the run stops and the message stays due. `failure` is delivery_status's reason."""

    def __init__(self, message: str, failure: str = "rejected", reply: str = ""):
        super().__init__(message)
        self.failure = failure
        self.reply = reply or message  # the server's own words, kept on the message
        self.command = ""  # the SMTP command the server refused (transport.py), if one
        self.report = None  # the run's SendReport so far, set by runner.py


class TokenError(LeadloopError):
    """An OAuth access token could not be had: `token_command` failed or printed none.
    The login cannot happen, so the work cannot be done (SPEC §6 "Login": exit 1)."""

    exit_code = 1


class MailboxError(LeadloopError):
    """The mailbox cannot be read: server unreachable, login refused, folder missing."""

    exit_code = 1


class DatabaseError(LeadloopError):
    """The database cannot be used now: damaged, busy, read-only, full, or the disk failed.

    store.py raises these in place of the sqlite3 errors they stand for, with the path
    first and what to do about it; the work could not be done (SPEC §4: exit 1)."""

    exit_code = 1


class DatabaseBusy(DatabaseError):
    """Another leadloop or program held the write lock for longer than the busy timeout."""


class DatabaseReadOnly(DatabaseError):
    """The file, its directory or its file system cannot be written."""


class DatabaseFull(DatabaseError):
    """The disk (or SQLite's size limit) is full: the change was not written."""


class DatabaseCorrupt(DatabaseError):
    """The file is damaged, or not a SQLite database at all."""


class DatabaseTooNew(InputError):
    """A database written by a newer leadloop: refused before anything in it is changed."""


class NotLeadloopDatabase(InputError):
    """A SQLite database of some other program: leadloop will not add its tables to it."""


def given(text: str, longest: int = 60) -> str:
    """A value the user gave, for an error sentence: whole when short, else its start and
    its length (a value thousands of characters long must not fill the terminal)."""
    text = str(text)
    if len(text) <= longest:
        return text
    return f"{text[:longest]}… ({len(text)} characters)"
