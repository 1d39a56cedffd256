"""A report's heading in the languages servers write it (bounces._NDR_HEADING).

Exchange 2007 and later put "Diagnostic information for administrators:" over the
failed recipients and their statuses, translated into the server's language. A report
that reaches leadloop without its RFC 3464 structure (a gateway that keeps its text
only), from a postmaster address its administrator set to one no table knows (Exchange's
ExternalPostmasterAddress, Set-TransportConfig) and under a subject a gateway rewrote,
is known by that heading alone. Every message here is written for leadloop after the
layout of Microsoft's "DSNs and NDRs in Exchange 2016" (the administrators' section:
the generating server, then each recipient with its status); each heading is the one
Microsoft's own guide names in that language (support.microsoft.com article eb34d15e).
Addresses and hosts are made up.
"""

from __future__ import annotations

import pytest

from leadloop.classify import classify
from test_inbox import read, status  # noqa: F401
from test_inbox import project  # noqa: F401  (the fixture)
from test_machine_notices import _message

HEADINGS = {
    "en": "Diagnostic information for administrators:",
    "de": "Diagnoseinformationen für Administratoren:",
    "es": "Información de diagnóstico para administradores:",
    "fr": "Informations de diagnostic pour les administrateurs :",
    "it": "Informazioni di diagnostica per gli amministratori:",
    "ja": "管理者向けの診断情報:",
}


def _report(heading: str, recipient: str = "ana.pena@example.org") -> bytes:
    body = (
        f"{recipient}\n\n"
        f"{heading}\n\n"
        "mx01.empresa.example\n\n"
        f"{recipient}\n"
        "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\n"
    )
    return _message({"Return-Path": "<>", "From": "Correo Empresa <correo@empresa.example>",
                     "To": "laura@lauravidal.es", "Subject": "Aviso del sistema",
                     "Message-ID": "<ndr-1@mx01.empresa.example>", "MIME-Version": "1.0",
                     "Content-Type": "text/plain; charset=utf-8", "Content-Transfer-Encoding": "8bit"}, body)


@pytest.mark.parametrize("language", sorted(HEADINGS))
def test_a_report_known_only_by_its_heading_is_a_hard_bounce(language):
    incoming = classify(_report(HEADINGS[language]))
    assert incoming.kind == "bounce"
    failed = {f.address: f for f in incoming.failures}
    assert "ana.pena@example.org" in failed
    assert failed["ana.pena@example.org"].hard


def test_the_inbox_bounces_the_lead_a_spanish_report_names(project, run):
    project.deliver(_report(HEADINGS["es"]))
    summary = read(run)
    assert summary["bounces"] == 1 and summary["replies"] == 0
    assert status(run, "ana.pena@example.org") == "bounced"


# The traps: the same words written by a person, and an out-of-office. They hold on
# main too: they keep the new headings from taking a person's words for a report's.

@pytest.mark.parametrize(("headers", "body", "kind"), [
    # A person asking for the section by its name.
    ({"Return-Path": "<ana.pena@example.org>", "Subject": "Aviso del sistema"},
     "Hola Laura, nuestro informático me pide la «Información de diagnóstico para "
     "administradores» antes de responderte. ¿Me la mandas?\n", "reply"),
    # A person who could not deliver an order.
    ({"Return-Path": "<ana.pena@example.org>", "Subject": "Pedido"},
     "Hola, no pude entregar su pedido a los siguientes clientes: Tomás y Elena.\n", "reply"),
    # An out-of-office that sends mail problems to the administrators.
    ({"Return-Path": "<>", "Auto-Submitted": "auto-replied", "Subject": "Respuesta automática: Aviso del sistema"},
     "Estoy fuera de la oficina hasta el lunes. Para incidencias del correo, escriba a "
     "los administradores.\n", "auto_reply"),
])
def test_a_persons_words_are_never_a_report(headers, body, kind):
    raw = _message({"From": "Ana <ana.pena@example.org>", "To": "laura@lauravidal.es",
                    "Content-Type": "text/plain; charset=utf-8"} | headers, body)
    assert classify(raw).kind == kind
