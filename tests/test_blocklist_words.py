"""A blocklist named in the other languages is the sender's (issue #25, branch domainwords;
SPEC §6: "an IP or domain on a blocklist" is the sender's, never one of the lead's three).

"Blacklisted" in English has long been read so; in the other languages the words ("черный
список", "czarna lista", "黑名单", "kara liste") named no cause, and the refusal was charged
to the lead's mailbox. Unless the recipient is the one who listed us ("收件人已将您列入黑名单",
"the recipient has put you on his block list"): the lead's own settings, its mailbox's.
The sentences are written for these tests in the shapes providers' refusals use; the
hosts and addresses are made up."""

from __future__ import annotations

import pytest

from leadloop.delivery_status import MAILBOX, SENDER, judge
from test_server_texts import dsn, exim_own, postfix_relayed, verdict_of

OURS = [
    ("es", "Su IP está en una lista negra"),
    ("fr", "Votre adresse IP est sur liste noire"),
    ("it", "Il tuo IP è nella lista nera"),
    ("de", "Ihre IP-Adresse steht auf einer schwarzen Liste"),
    ("nl", "Uw IP-adres staat op een zwarte lijst"),
    ("pl", "Twój adres IP znajduje się na czarnej liście"),
    ("pl", "Adres IP nadawcy jest na liście blokowanych"),
    ("cs", "Váš IP je na černé listině"),
    ("tr", "IP adresiniz kara listede"),
    ("ro", "Adresa IP a expeditorului este pe lista neagră"),
    ("hu", "Az IP-címe feketelistán van"),
    ("ru", "Ваш IP-адрес находится в черном списке"),
    ("uk", "Ваша IP-адреса в чорному списку"),
    ("zh-Hans", "您的IP地址在黑名单中"),
    ("zh-Hant", "寄件伺服器IP已被列入黑名單"),
    ("ja", "送信元IPアドレスがブラックリストに登録されています"),
    ("ko", "귀하의 IP가 블랙리스트에 등록되어 있습니다"),
]

RECIPIENTS_OWN = [
    ("zh-Hans", "收件人已将您列入黑名单"),
    ("de", "Der Empfänger hat Sie auf seine Sperrliste gesetzt"),
    ("ru", "Адресат занес вас в черный список"),
    ("es", "El destinatario le ha incluido en su lista negra"),
]

LAYOUTS = {
    "postfix-rcpt": lambda words: postfix_relayed("550 " + words, "RCPT"),
    "postfix-data-5.7.1": lambda words: postfix_relayed("554 5.7.1 " + words, "DATA"),
    "dsn-5.0.0": lambda words: dsn("550 " + words, "5.0.0"),
    "exim-own": exim_own,
}


def _cases(rows):
    return [pytest.param(words, layout, id=f"{lang}:{words[:30]}-{layout}") for lang, words in rows for layout in LAYOUTS]


@pytest.mark.parametrize("words, layout", _cases(OURS))
def test_our_ip_on_a_blocklist_is_the_senders(words, layout):
    verdict = verdict_of(LAYOUTS[layout](words))
    assert not verdict.hard and verdict.owner == SENDER and verdict.reason == "blocked", verdict


@pytest.mark.parametrize("language, words", OURS, ids=[f"{lang}:{words[:30]}" for lang, words in OURS])
def test_heard_by_leadloops_own_smtp_client(language, words):
    verdict = judge(None, "550 " + words, reply_code=550, command="RCPT", domain="example.org")
    assert not verdict.hard and verdict.owner == SENDER, verdict


@pytest.mark.parametrize("words, layout", _cases(RECIPIENTS_OWN))
def test_the_recipients_own_block_list_is_its_mailboxs(words, layout):
    verdict = verdict_of(LAYOUTS[layout](words))
    assert not verdict.hard and verdict.owner == MAILBOX and verdict.reason == "filtered", verdict


def test_a_dead_user_beside_a_blocklist_after_data_is_no_verdict():
    # Beside a blocklist's words, a missing user's after the message is a filter's.
    verdict = verdict_of(postfix_relayed("550 Пользователь не найден: ваш IP в черном списке", "DATA"))
    assert not verdict.hard, verdict
