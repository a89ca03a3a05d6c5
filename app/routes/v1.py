"""The native API: POST /v1/translate with scores, n-best lists and attention, by the model of its source and
target (either may be left out where the served models leave one choice; a source left out where several fit is
detected, and "auto" tells the target's language too: texts already in it come back as they are), plain text or
HTML, with strings to keep verbatim (dnt); GET /v1/models."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from nmt.app.registry import Models, parameter_count
from nmt.app.routes import (
    TRANSLATE_ERRORS,
    ApiError,
    DetectedLanguage,
    LoadedModels,
    ReadyModels,
    TextLimits,
    admit,
    already_in,
    check_glossary,
    check_texts,
    detector_of,
    error_responses,
    header_key,
    model_for,
    translate_texts,
)
from nmt.app.routes.html import translate_html
from nmt.app.service import Service, ServiceDep
from nmt.app.settings import Settings
from nmt.model.spans import Terms
from nmt.model.text import InvalidText
from nmt.model.translator import Translated, Translator

router = APIRouter(prefix="/v1", tags=["v1"])
MAX_DNT = 256  # dnt strings per request: each is one more alternative of the pattern matched over every sentence
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class TranslateRequest(BaseModel):
    # no inf or nan: Python's JSON reader takes "rerank": Infinity, whose scores came back null
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    text: str | list[str] = Field(description="one text, or a list of texts; long texts are split into sentences")
    source: str | None = Field(None, description="source language code; left out (or \"auto\") where several "
                               "models fit: the likeliest of their source languages, from the texts together; "
                               "\"auto\" tells the target's language too, and texts in it come back as they are")
    target: str | None = Field(None, description="target language code; may be left out if one model fits")
    beam_size: int | None = Field(None, ge=1, description="1 = greedy; default: the server's beam_size")
    nbest: int = Field(1, ge=1, description="alternatives to return per text")
    rerank: float | None = Field(None, ge=0, description="rerank each sentence's beam with the model of the other "
                                 "direction, this weight of its score; 0: off; default: the server's rerank; needs "
                                 "that model served (400 otherwise)")
    return_scores: bool = Field(False, description="include the log-probability of each translation (reranked: "
                                "the sum that ranked it)")
    return_attention: bool = Field(False, description="include tokens and attention weights of each sentence")
    format: Literal["text", "html"] = Field("text", description="html: translate the text of HTML documents, their "
                                            "markup kept (no nbest or return_attention)")
    dnt: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, max_length=MAX_DNT, description="strings to keep verbatim (do not translate), matched as "
        "whole words; needs a model with placeholders (400 otherwise)")
    glossary: dict[Term, Term] | None = Field(None, description="source term -> target term: wherever a source term "
                                              "stands as whole words, its translation has the target term (needs a "
                                              "model with placeholders; otherwise 400)")
    glossary_ignore_case: bool = Field(False, description="match the glossary's source terms in any case")


class Alternative(BaseModel):
    text: str
    score: float


class SentenceDetail(BaseModel):
    source: str
    text: str
    src_tokens: list[str]
    tgt_tokens: list[str]
    attention: list[list[float]] | None = Field(None, description="rows: target tokens; columns: source tokens "
                                                        "(absent for a sentence with nothing to translate)")


class TranslationOut(BaseModel):
    text: str
    score: float | None = None
    nbest: list[Alternative] | None = None
    sentences: list[SentenceDetail] | None = None


class TranslateResponse(BaseModel):
    translations: list[TranslationOut]
    detected_source: DetectedLanguage | None = Field(None, description="the source language, where it was detected")


async def require_key(service: ServiceDep, request: Request) -> TextLimits:
    return admit(service, request, header_key(request))


async def json_body(request: Request) -> None:
    """415 for a body not sent as JSON. FastAPI parses a body as JSON only under a JSON Content-Type, and validates
    any other (a form, curl -d's default, none at all) as bytes: "body: Input should be a valid dictionary", which
    does not say what is wrong."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415, f"the body must be JSON, sent with Content-Type: application/json (it was sent "
                            f"{f'as {media_type}' if media_type else 'without one'})")


@router.post("/translate", response_model=TranslateResponse, response_model_exclude_none=True,
             responses=TRANSLATE_ERRORS | error_responses(415), dependencies=[Depends(json_body)])
async def translate(body: TranslateRequest, service: ServiceDep, models: ReadyModels, request: Request,
                    limits: Annotated[TextLimits, Depends(require_key)]) -> TranslateResponse:
    """Translate one text or a list of texts; the answer has one translation per text, in order."""
    texts = [body.text] if isinstance(body.text, str) else body.text
    source, detected = _source(service, models, body, texts)
    if already_in(models, source, body.target, texts):
        check_texts(service.settings, texts, limits)
        return TranslateResponse(translations=[_as_sent(text, body) for text in texts], detected_source=detected)
    model = model_for(models, source, body.target)
    options = service.settings.decode_options(body.beam_size, body.nbest, body.return_attention, body.rerank)
    glossary = body.glossary or {}
    check_glossary(service.settings, glossary)
    terms = Terms(keep=_dnt(service.settings, body.dnt), glossary=glossary, ignore_case=body.glossary_ignore_case)
    if body.format == "html":
        if body.nbest > 1 or body.return_attention:
            raise ApiError(422, "nbest and return_attention are not available for format html")
        documents = await translate_html(service, model, request, texts, options, terms, limits)
        return TranslateResponse(translations=[TranslationOut(text=d.text, score=d.score if body.return_scores else None)
                                               for d in documents], detected_source=detected)
    translated = await translate_texts(service, model, request, texts, options, terms, limits)
    return TranslateResponse(translations=[_output(t, body) for t in translated], detected_source=detected)


def _source(service: Service, models: Models, body: TranslateRequest,
            texts: list[str]) -> tuple[str | None, DetectedLanguage | None]:
    """The request's source language (None: whichever model fits, where one does), and how it was detected where
    it was: named; else, where several models into the target fit (with "auto", the target's own language counts
    as one where a model translates from it: already_in then answers), the likeliest of their source languages. Blank
    texts have no language to detect, and come back as they are from any model (the README's "an empty string
    translates to an empty string"): the first that fits."""
    if body.source not in (None, "auto"):
        return body.source, None
    fitting = models.sources_into(body.target)
    if body.source == "auto" and body.target in models.sources:  # (the texts may be in it already)
        fitting = sorted({*fitting, body.target})
    if len(fitting) < 2:
        return None, None
    if not any(text.strip() for text in texts):
        return fitting[0], None
    try:
        ranked = detector_of(service).detect("\n".join(texts))
    except InvalidText as e:
        raise ApiError(422, str(e)) from None
    best = next(d for d in ranked if d.language in fitting)
    return best.language, DetectedLanguage(language=best.language, confidence=best.confidence)


def _as_sent(text: str, body: TranslateRequest) -> TranslationOut:
    """A text already in the target language, as it was sent (its score 0: log 1)."""
    out = TranslationOut(text=text, score=0.0 if body.return_scores else None)
    if body.nbest > 1:
        out.nbest = [Alternative(text=text, score=0.0)]
    return out


def _dnt(settings: Settings, dnt: list[str]) -> tuple[str, ...]:
    """The verbatim strings; 422 for one that no sentence could hold."""
    for i, term in enumerate(dnt):
        if len(term) > settings.max_sentence_chars:
            raise ApiError(422, f"dnt entry {i} is {len(term)} characters; the limit is {settings.max_sentence_chars} "
                                f"(the longest sentence)")
    return tuple(dnt)


def _output(t: Translated, body: TranslateRequest) -> TranslationOut:
    out = TranslationOut(text=t.text)
    if body.return_scores:
        out.score = t.score
    if body.nbest > 1:
        out.nbest = [Alternative(text=text, score=score) for text, score in t.nbest()[: body.nbest]]
    if body.return_attention:
        out.sentences = [SentenceDetail(source=source.text, text=s.text, src_tokens=s.src_tokens,
                                        tgt_tokens=s.tgt_tokens, attention=s.attention)
                         for source, s in zip(t.prepared.sentences, t.sentences, strict=True)]
    return out


@router.get("/models")
def list_models(models: LoadedModels) -> dict:
    """The served models: each one's languages, its configuration, its size, and what training and evaluation
    measured, exactly as its summary.json recorded it, with when and how each figure was measured under
    "measured"."""
    return {"models": [_describe(model.translator) for model in models]}


def _describe(translator: Translator) -> dict:
    bundle = translator.bundle
    src, tgt = bundle.config.src_lang, bundle.config.tgt_lang
    return {"id": f"{src}-{tgt}", "source": src, "target": tgt, "bleu": _bleu(bundle.summary),
            "config": bundle.config.model.model_dump(), "parameters": parameter_count(translator),
            "summary": bundle.summary, "measured": _how_measured(bundle.summary), "device": str(translator.device)}


def _how_measured(summary: dict) -> dict[str, str]:
    """A label for each group of recorded figures: a speed measured on another machine and day, or a training time
    and dev score of the checkpoint before averaging, must not read as a current fact about the served weights."""
    step, averaged = summary.get("step"), summary.get("averaged_steps")
    of_checkpoint = "the saved checkpoint" if step is None else f"the single checkpoint at update {step}"
    of_checkpoint += ", before averaging" if averaged else ""
    labels: dict[str, str] = {}
    if "train_minutes" in summary:
        labels["train_minutes"] = f"minutes of the training loop up to {of_checkpoint}, summed over resumed legs"
    if isinstance(summary.get("dev"), dict):
        labels["dev"] = f"dev set scored during training, {of_checkpoint}"
    if averaged:
        labels["averaged_steps"] = "the served weights are the mean of the weights at these updates"
    if "averaged" in summary:
        labels["averaged"] = "the served weights are the mean of these sources' weights (nmt average)"
    if "ensemble" in summary:
        labels["ensemble"] = "the served model is the mean distribution of these bundles' networks (nmt ensemble)"
    test = summary.get("test")
    if isinstance(test, dict):
        when = f" on {summary['exported_on']}" if "exported_on" in summary else ""
        labels["test"] = (f"nmt evaluate --beam {test.get('beam_size')} on {test.get('test')} ({test.get('device')}), "
                          f"recorded by nmt export{when}; its speeds are of the machine that measured them then, not "
                          f"of this server")
    return labels


def _bleu(summary: dict) -> float | None:
    """The test BLEU if the bundle was evaluated, else the best dev BLEU of training."""
    for split_name in ("test", "dev"):
        scores = summary.get(split_name)
        if isinstance(scores, dict) and isinstance(scores.get("bleu"), int | float):
            return scores["bleu"]
    return None
