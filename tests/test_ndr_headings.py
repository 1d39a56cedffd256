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
    return (
        "Return-Path: <>\n"
        "From: Correo Empresa <correo@empresa.example>\n"
        "To: laura@lauravidal.es\n"
        "Subject: Aviso del sistema\n"
        "Message-ID: <ndr-1@mx01.empresa.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n" + body
    ).encode()


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


# The traps: the same words written by a person, and an out-of-office.

def _mail(headers: dict[str, str], body: str) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in headers.items())
    return (head + "Content-Type: text/plain; charset=utf-8\n\n" + body).encode()


def test_a_person_writing_the_heading_is_still_a_reply():
    raw = _mail({"Return-Path": "<ana.pena@example.org>", "From": "Ana <ana.pena@example.org>",
                 "To": "laura@lauravidal.es", "Subject": "Aviso del sistema"},
                "Hola Laura, nuestro informático me pide la «Información de diagnóstico para "
                "administradores» antes de responderte. ¿Me la mandas?\n")
    assert classify(raw).kind == "reply"


def test_a_person_who_could_not_deliver_an_order_is_still_a_reply():
    raw = _mail({"Return-Path": "<ana.pena@example.org>", "From": "Ana <ana.pena@example.org>",
                 "To": "laura@lauravidal.es", "Subject": "Pedido"},
                "Hola, no pude entregar su pedido a los siguientes clientes: Tomás y Elena.\n")
    assert classify(raw).kind == "reply"


def test_an_out_of_office_naming_the_administrators_is_an_auto_reply():
    raw = _mail({"Return-Path": "<>", "From": "Ana <ana.pena@example.org>", "To": "laura@lauravidal.es",
                 "Auto-Submitted": "auto-replied", "Subject": "Respuesta automática: Aviso del sistema"},
                "Estoy fuera de la oficina hasta el lunes. Para incidencias del correo, escriba a "
                "los administradores.\n")
    assert classify(raw).kind == "auto_reply"
