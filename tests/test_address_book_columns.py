"""Address books' and Outlook's column names in the languages people use them in, and
which of several address columns is the lead's (issue #25, branch exports4 items 2 and 4).

Outlook writes its CSV header in the language of Office. The names below are those of
Exchange's Outlook CSV contact import, which lists every Office language's names for the
same fields (OutlookCsvLanguageSelect in Exchange Server's
Microsoft.Exchange.Transport.Sync.Common.ImportContacts: FirstName, LastName,
EmailAddress, Email2Address …), and of public importers of Outlook's Italian and Dutch
exports; Apple's and Thunderbird's German exports name their columns "Vorname",
"Nachname", "Arbeit E-Mail", "Privat E-Mail", "Andere E-Mail". The files are written
here; the people are invented.
"""

import json

import pytest

NOW = "2026-06-01T12:00"


def imported(tmp_path, run, text, encoding="utf-8", name="contacts.csv"):
    (tmp_path / name).write_bytes(text.encode(encoding))
    result = run("--now", NOW, "import", name, "--json")
    assert result.exit_code == 0, result.stderr
    stored = {lead["email"]: lead for lead in json.loads(run("leads", "--json").stdout)}
    return json.loads(result.stdout), stored, result


# (given-name column, family-name column, address column) as Outlook writes them.
OUTLOOK = {
    "de": ("Vorname", "Nachname", "E-Mail-Adresse"),
    "fr": ("Prénom", "Nom", "Adresse de messagerie"),
    "it": ("Nome", "Cognome", "Indirizzo posta elettronica"),
    "nl": ("Voornaam", "Achternaam", "E-mailadres"),
    "pt-BR": ("Nome", "Sobrenome", "Endereço de email"),
    "pt-PT": ("Nome próprio", "Apelido", "Endereço de correio electrónico"),
    "pl": ("Imię", "Nazwisko", "Adres e-mail"),
    "ca": ("Nom", "Cognoms", "Adreça electrònica"),
    "sv": ("Förnamn", "Efternamn", "E-postadress"),
    "da": ("Fornavn", "Efternavn", "E-mailadresse"),
}


@pytest.mark.parametrize("language", OUTLOOK)
def test_outlooks_given_family_and_address_columns_in_each_language(tmp_path, run, language):
    given, family, address = OUTLOOK[language]
    # French Outlook's family name "Nom" comes after the given name; the others before.
    header = [given, family, address] if language == "fr" else [family, given, address]
    row = {given: "José", family: "Muñoz Peña", address: "jose@example.com"}
    text = ",".join(header) + "\r\n" + ",".join(row[column] for column in header) + "\r\n"
    # Outlook writes the ANSI code page of its language: Windows-1252 for these, 1250 for
    # Polish (whose "ñ" it lacks: that file is written as UTF-8 here).
    report, stored, _ = imported(tmp_path, run, text,
                                 encoding="utf-8" if language == "pl" else "cp1252")
    assert report["new"] == 1 and report["rejected"] == 0
    assert stored["jose@example.com"]["name"] == "José Muñoz Peña"
    assert stored["jose@example.com"]["first_name"] == "José"


def test_german_outlook_2007_export_reads_its_names_and_rejects_a_firm_without_address(
        tmp_path, run):
    header = ('"Anrede","Vorname","Weitere Vornamen","Nachname","Suffix","Firma",'
              '"Straße geschäftlich","E-Mail-Adresse","E-Mail-Typ",'
              '"E-Mail: Angezeigter Name","E-Mail 2: Adresse","Geburtstag"\r\n')
    text = (header
            + '"",,,,,"Reformas Gil S.L.","Calle Mayor 1",,,,,"0.0.00"\r\n'
            + '"","Jürgen","","Groß","","","","juergen@example.com","SMTP",'
              '"Jürgen Groß (juergen@example.com)","jg@example.net","12.5.1980"\r\n')
    report, stored, result = imported(tmp_path, run, text, encoding="cp1252")
    assert report["new"] == 1 and report["rejected"] == 1
    assert "contacts.csv:2: invalid address" in result.stderr
    lead = stored["juergen@example.com"]
    assert (lead["name"], lead["first_name"]) == ("Jürgen Groß", "Jürgen")
    # The type and the display name of the address are no addresses; the second is kept.
    assert lead["fields"]["e_mail_typ"] == "SMTP"
    assert lead["fields"]["e_mail_2_adresse"] == "jg@example.net"
    assert report["requested_at_column"] is None  # a birthday is no request date


def test_apple_contacts_german_tab_separated(tmp_path, run):
    text = ("Vorname\tNachname\tFirma\tArbeit E-Mail\tPrivat E-Mail\tAndere E-Mail\n"
            "Max\tMustermann\tMusterfirma\tmax@example.com\tmax@example.net\t\n"
            "Erika\tMusterfrau\t\t\terika@example.net\terika@example.org\n")
    report, stored, _ = imported(tmp_path, run, text)
    assert sorted(stored) == ["erika@example.net", "max@example.com"]
    assert stored["max@example.com"]["name"] == "Max Mustermann"
    assert stored["erika@example.net"]["first_name"] == "Erika"


@pytest.mark.parametrize("header, expected", [
    ("Nom,Email", "Laura Vidal Gil"),                  # alone: the whole name
    ("Nome,Email", "Laura Vidal Gil"),
])
def test_an_ambiguous_given_name_column_alone_holds_the_whole_name(tmp_path, run, header,
                                                                   expected):
    _, stored, _ = imported(tmp_path, run, f"{header}\nLaura Vidal Gil,laura@example.com\n")
    assert stored["laura@example.com"]["name"] == expected
    assert stored["laura@example.com"]["first_name"] is None


def test_french_nom_beside_prenom_is_the_family_name_catalan_nom_beside_cognoms_the_given(
        tmp_path, run):
    _, stored, _ = imported(tmp_path, run, "Nom,Prénom,Courriel\nVidal,Laura,laura@example.com\n")
    assert (stored["laura@example.com"]["name"], stored["laura@example.com"]["first_name"]) \
        == ("Laura Vidal", "Laura")
    _, stored, _ = imported(tmp_path, run, "Nom,Cognoms,Correu electrònic\n"
                                           "Jordi,Puig i Soler,jordi@example.com\n", name="ca.csv")
    assert (stored["jordi@example.com"]["name"], stored["jordi@example.com"]["first_name"]) \
        == ("Jordi Puig i Soler", "Jordi")


@pytest.mark.parametrize("header, row, expected", [
    # Roundcube's and Outlook's per-kind columns: the first in the file's order.
    ("Name,Email Home,Email Work,Email Other", "Ana,home@example.com,work@example.com,o@example.com",
     "home@example.com"),
    ("Name,Email Work,Email Home", "Ana,work@example.com,home@example.com", "work@example.com"),
    # A column marked primary or preferred wins, wherever it is (as a vCard's PREF).
    ("Name,Secondary Email,Primary Email", "Ana,second@example.com,first@example.com",
     "first@example.com"),
    ("Name,Work Email,Preferred E-mail", "Ana,work@example.com,pref@example.com",
     "pref@example.com"),
    # A second, other or numbered one comes after the plain one.
    ("Name,E-mail 2 Address,E-mail Address", "Ana,two@example.com,one@example.com",
     "one@example.com"),
    ("Name,Other Email,Email", "Ana,other@example.com,plain@example.com", "plain@example.com"),
    ("Name,E-mail 1 - Value,E-mail 2 - Value", "Ana,one@example.com,two@example.com",
     "one@example.com"),
])
def test_which_of_several_address_columns_is_the_leads(tmp_path, run, header, row, expected):
    report, stored, _ = imported(tmp_path, run, f"{header}\n{row}\n")
    assert list(stored) == [expected] and report["rejected"] == 0


def test_the_next_address_column_fills_an_empty_first(tmp_path, run):
    _, stored, _ = imported(tmp_path, run, "Name,Email Home,Email Work\n"
                                           "Ana,,ana@example.com\nBea,bea@example.com,\n")
    assert sorted(stored) == ["ana@example.com", "bea@example.com"]


@pytest.mark.parametrize("column", ["E-mail Type", "E-mail Display Name", "Email Opt Out",
                                    "E-Mail-Typ", "Email Verified", "Home"])
def test_columns_about_an_address_are_no_address_columns(tmp_path, run, column):
    _, stored, _ = imported(tmp_path, run, f"Email,{column}\nana@example.com,x\n")
    assert list(stored) == ["ana@example.com"]


def test_thunderbird_german_and_french_exports(tmp_path, run):
    """Thunderbird's address book export in German and French: a display name beside
    given and family names (those win), the primary address before the secondary."""
    _, stored, _ = imported(
        tmp_path, run,
        "Vorname,Nachname,Anzeigename,Spitzname,Sekundäre E-Mail-Adresse,Primäre E-Mail-Adresse\n"
        "Max,Mustermann,Max M. (Musterfirma),Maxi,max@example.net,max@example.com\n")
    assert list(stored) == ["max@example.com"]
    assert stored["max@example.com"]["name"] == "Max Mustermann"
    _, stored, _ = imported(
        tmp_path, run,
        "Prénom,Nom,Nom à afficher,Première adresse électronique,Adresse électronique secondaire\n"
        "Laura,Vidal,Reformas Vidal,laura@example.com,lv@example.net\n", name="fr.csv")
    assert stored["laura@example.com"]["name"] == "Laura Vidal"
    assert "lv@example.net" not in stored


# A file with two addresses per person, re-imported after an upgrade that changed which
# column is the lead's (before exports4 Roundcube's "Email Work" could win): the person
# is the lead known by either address, never a second lead that would get the
# information again at the other address.
TWO_ADDRESSES = "Name,Email Home,Email Work\nAna Ruiz,ana@home.example,ana@work.example\n"


def test_a_row_is_the_lead_known_by_its_other_address(tmp_path, run):
    imported(tmp_path, run, "Name,Email\nAna,ana@work.example\n", name="earlier.csv")
    report, stored, _ = imported(tmp_path, run, TWO_ADDRESSES)
    assert list(stored) == ["ana@work.example"]
    assert report["new"] == 0 and report["updated"] == 1
    assert stored["ana@work.example"]["name"] == "Ana Ruiz"
    due = json.loads(run("--now", NOW, "due", "--json").stdout)
    assert "ana@home.example" not in json.dumps(due)


@pytest.mark.parametrize("how", [("mark", "ana@work.example", "unsubscribed"),
                                 ("forget", "ana@work.example")])
def test_a_row_whose_other_address_is_suppressed_stays_out(tmp_path, run, how):
    imported(tmp_path, run, "Name,Email\nAna,ana@work.example\n", name="earlier.csv")
    assert run("--now", NOW, *how).exit_code == 0
    report, stored, _ = imported(tmp_path, run, TWO_ADDRESSES)
    assert "ana@home.example" not in stored
    assert report["new"] == 0 and report["suppressed"] == 1


def test_a_bad_second_address_costs_the_row_nothing(tmp_path, run):
    report, stored, _ = imported(
        tmp_path, run, "Name,Email Home,Email Work\nAna,ana@home.example,not an address\n")
    assert list(stored) == ["ana@home.example"] and report["rejected"] == 0
