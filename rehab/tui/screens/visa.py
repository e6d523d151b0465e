"""The VISA-A questionnaire, one question per screen (items in our own words, scoring from
CLINICAL.md in rehab.core.visa): each item in full with its scale in words, back and
forward, then every answer and the score before saving. Item 8 is asked in two parts, its
branch (A, B or C) and then the minutes, and scored by rehab.core.visa exactly as the
command line does. Escape backs out; the screen writes nothing, the caller records."""

from __future__ import annotations

from rehab.core.visa import ITEMS, MINUTE_BANDS, Answers, Item, score
from rehab.tui.answers import VisaAnswers
from rehab.tui.screens.questions import Question, QuestionFlow

MINUTES_KEY = "training_minutes"
_SCALE_NOTE = "On this question 10 is the good end."
_SCALE_KEYS = tuple(item.key for item in ITEMS[:5])


def _note(item: Item) -> str:
    if item.number <= 5:
        return _SCALE_NOTE
    if item.number == 6:
        return "More hops is better; stop counting at 10."
    return ""


class VisaScreen(QuestionFlow[VisaAnswers]):
    TITLE_TEXT = "VISA-A: how your Achilles is doing"

    def questions(self) -> list[Question]:
        asked = [
            Question(
                key="training_branch" if item.number == 8 else item.key,
                position=f"Question {item.number} of 8"
                + (", part 1 of 2" if item.number == 8 else ""),
                text=item.question,
                choices=tuple((str(c.value), c.label) for c in item.choices),
                topic=f"{item.number}. {item.topic[0].upper()}{item.topic[1:]}",
                note=_note(item),
            )
            for item in ITEMS
        ]
        branch = self.answers.get("training_branch")
        chosen = next((c.label for c in ITEMS[7].choices if c.value == branch), None)
        asked.append(
            Question(
                key=MINUTES_KEY,
                position="Question 8 of 8, part 2 of 2",
                text="For how many minutes can you keep up that sport or activity?",
                choices=tuple((str(i), label) for i, (_, _, label) in enumerate(MINUTE_BANDS)),
                topic="8. Training time, minutes",
                note=f"You said {chosen}." if chosen else "",
            )
        )
        return asked

    def summary_answer(self, question: Question, value: str) -> str:
        words = question.label(value)
        if question.key in _SCALE_KEYS:
            number, _, meaning = words.partition(": ")
            return f"{number} of 10" + (f" ({meaning})" if meaning else "")
        return words

    def _answers(self) -> Answers:
        data: dict[str, object] = {}
        for item in ITEMS[:7]:
            data[item.key] = int(self.answers[item.key])
        data["training_branch"] = self.answers["training_branch"]
        low, _, _ = MINUTE_BANDS[int(self.answers[MINUTES_KEY])]
        data[MINUTES_KEY] = low
        return Answers.from_dict(data)

    def summary_note(self) -> str:
        return f"Score: {score(self._answers())}/100 (100 means no symptoms)."

    def result(self) -> VisaAnswers:
        return VisaAnswers(self._answers())
