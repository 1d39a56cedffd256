"""The pages `leadloop serve` shows, in Spanish and English.

Pages are Jinja templates (`templates/web/form.html` and `page.html`: the user's own
templates directory first, then the shipped ones, so the form can be restyled), with
autoescape on: whatever a visitor typed, or a lead's data, is shown as text.
"""

from __future__ import annotations

from ..resources import builtin_path

LANGUAGES = ("es", "en")

TEXT = {
    "es": {
        "form_title": "Pida información",
        "form_intro": "Déjenos su correo y le enviaremos la información enseguida.",
        "email": "Correo electrónico",
        "name": "Nombre",
        "product": "¿Sobre qué desea información?",
        "about": "Sobre:",
        "trap": "No rellene este campo",
        "submit": "Enviar",
        "privacy": "Solo usaremos su dirección para enviarle lo que pide y algún recordatorio "
                   "de vez en cuando; cada mensaje le permite darse de baja con un clic.",
        "bad_email": "Esta dirección de correo no es válida. Revísela, por favor.",
        "bad_field": "Revise este dato, por favor: {detail}",
        "thanks_title": "¡Gracias!",
        "thanks": "Hemos recibido su solicitud. En unos minutos tendrá la información en su correo.",
        "unsubscribe_title": "Darse de baja",
        "unsubscribe_ask": "¿No desea recibir más mensajes de {sender}?",
        "unsubscribe_button": "Darme de baja",
        "unsubscribed": "Hecho: no recibirá más mensajes de {sender}.",
        "already_unsubscribed": "Su baja ya está hecha: no recibirá más mensajes de {sender}.",
        "answer_title": "Su respuesta",
        "answer_ask": "Su respuesta: {answer}. ¿La enviamos?",
        "answer_button": "Enviar mi respuesta",
        "answered": "¡Gracias! Hemos anotado su respuesta: {answer}.",
        "erased_title": "Nada que cambiar",
        "erased": "No guardamos ningún dato suyo, así que no hay nada que cambiar.",
        "invalid_title": "Enlace no válido",
        "invalid": "Este enlace no es válido. Si lo copió de un mensaje, compruebe que está completo.",
        "not_survey": "Este enlace no responde a ninguna encuesta.",
        "bad_answer": "Esa respuesta no es válida.",
        "limited_title": "Demasiadas solicitudes",
        "limited": "Hemos recibido demasiadas solicitudes desde su conexión. Inténtelo más tarde.",
        "too_large_title": "Solicitud demasiado grande",
        "too_large": "La solicitud es demasiado grande.",
        "bad_request_title": "Solicitud no válida",
        "bad_request": "No hemos podido leer la solicitud.",
        "unavailable_title": "Inténtelo de nuevo",
        "unavailable": "Ahora no podemos atender su solicitud. Inténtelo de nuevo en unos minutos.",
        "not_found_title": "Página no encontrada",
        "not_found": "Esta página no existe.",
    },
    "en": {
        "form_title": "Ask for information",
        "form_intro": "Leave us your e-mail address and we will send you the information at once.",
        "email": "E-mail address",
        "name": "Name",
        "product": "What would you like information about?",
        "about": "About:",
        "trap": "Leave this field empty",
        "submit": "Send",
        "privacy": "We will only use your address to send you what you ask for and a reminder "
                   "now and then; every message lets you unsubscribe with one click.",
        "bad_email": "This e-mail address is not valid. Please check it.",
        "bad_field": "Please check this: {detail}",
        "thanks_title": "Thank you!",
        "thanks": "We have your request. The information will be in your inbox in a few minutes.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_ask": "Do you want to stop receiving messages from {sender}?",
        "unsubscribe_button": "Unsubscribe me",
        "unsubscribed": "Done: you will receive no more messages from {sender}.",
        "already_unsubscribed": "You are already unsubscribed: you will receive no more "
                                "messages from {sender}.",
        "answer_title": "Your answer",
        "answer_ask": "Your answer: {answer}. Shall we send it?",
        "answer_button": "Send my answer",
        "answered": "Thank you! We have noted your answer: {answer}.",
        "erased_title": "Nothing to change",
        "erased": "We keep no data about you, so there is nothing to change.",
        "invalid_title": "Link not valid",
        "invalid": "This link is not valid. If you copied it from a message, check that it is complete.",
        "not_survey": "This link answers no survey.",
        "bad_answer": "That answer is not valid.",
        "limited_title": "Too many requests",
        "limited": "We have received too many requests from your connection. Please try again later.",
        "too_large_title": "Request too large",
        "too_large": "The request is too large.",
        "bad_request_title": "Bad request",
        "bad_request": "We could not read the request.",
        "unavailable_title": "Please try again",
        "unavailable": "We cannot take your request right now. Please try again in a few minutes.",
        "not_found_title": "Page not found",
        "not_found": "This page does not exist.",
    },
}


class Pages:
    def __init__(self, config):
        from jinja2 import FileSystemLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        self.config = config
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader([str(config.templates_dir / "web"),
                                     str(builtin_path("templates") / "web")]),
            autoescape=True, undefined=StrictUndefined)
        default = (config.default_locale or "es").split("-")[0].split("_")[0].lower()
        self.default = default if default in LANGUAGES else "es"
        self._check()

    def _check(self) -> None:
        """Render every page once now, so that a mistake in a restyled template stops
        `serve` at start with its file and line, not a visitor with an error page."""
        from pathlib import Path

        from ..errors import TemplateError
        from ..render import _describe

        values = {"email": "", "name": "", "product": "", "source": ""}
        errors = {"email": "x", "name": "", "other": ""}
        for name in ("form.html", "page.html"):
            path = Path("templates/web") / name
            try:
                template = self.env.get_template(name)
                path = Path(template.filename or path)
                for lang in LANGUAGES:
                    if name == "form.html":
                        self.form(lang, values, errors, fixed_product=True, fixed_source=True)
                    else:
                        self.page(lang, "thanks_title", "thanks", "answer_button")
            except Exception as err:  # Jinja raises many kinds; each becomes one sentence
                raise TemplateError(_describe(err, path)) from None

    def language(self, *wanted: str | None, accept: str | None = None) -> str:
        """The first of `wanted` that is a page language, else the best of the browser's
        Accept-Language, else the configured default."""
        for value in wanted:
            if value:
                code = value.strip().lower()[:2]
                if code in LANGUAGES:
                    return code
        if accept:
            ranked = []
            for position, part in enumerate(accept.split(",")[:20]):
                tag, _, params = part.strip().partition(";")
                quality = 1.0
                if params.strip().startswith("q="):
                    try:
                        quality = float(params.strip()[2:])
                    except ValueError:
                        quality = 0.0
                ranked.append((-quality, position, tag.strip().lower()[:2]))
            for _, _, code in sorted(ranked):
                if code in LANGUAGES:
                    return code
        return self.default

    def form(self, lang: str, values: dict, errors: dict, *, fixed_product: bool,
             fixed_source: bool) -> str:
        return self.env.get_template("form.html").render(
            lang=lang, text=TEXT[lang], values=values, errors=errors,
            fixed_product=fixed_product, fixed_source=fixed_source)

    def page(self, lang: str, title: str, message: str, button: str | None = None, **values) -> str:
        text = TEXT[lang]
        return self.env.get_template("page.html").render(
            lang=lang, title=text[title], message=text[message].format(**values),
            button=text[button] if button else None)
