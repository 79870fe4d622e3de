from datetime import datetime

from ninja import Field, Schema

from tiaokuai.core.validation import api_only


class SuggestIn(Schema):
    text: str = Field(
        ..., min_length=1, max_length=10000, description="Title and description of the case, Chinese"
    )
    k: int = Field(3, ge=1, le=10, description="How many matters to suggest")


api_only(SuggestIn, "the pages suggest as you type (a GET of the description), no form of their own")


class BodyOut(Schema):
    code: str
    name: str
    role: str = Field(..., description="primary or coordinating")


class SuggestionOut(Schema):
    matter_code: str
    matter_name: str
    confidence: float = Field(..., description="Calibrated probability, 0–1")
    confident: bool = Field(
        ..., description="At or above the county's threshold: may be acted on without a person"
    )
    terms: list[str] = Field(..., description="The words of the text that decided it")
    bodies: list[BodyOut]


class ModelOut(Schema):
    id: int
    trained_at: datetime
    accuracy: float | None
    top3_accuracy: float | None
    threshold: float


class SuggestionsOut(Schema):
    model: ModelOut | None
    suggestions: list[SuggestionOut]
