"""The investment-intention form: validation of each answer, submit, cancel, correct.

Thin: the reading of answers is in leads/form.py and leads/parsing.py, storage in
leads/store.py, staff notification in leads/notify.py. Every sentence comes from
knowledge/messages.yml and goes back in the investor's script (简/繁)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import localise, send
from actions.dialogue import understanding
from actions.turn import read_turn
from kb import dialogue, store
from kb.text import in_script
from leads import form
from leads.parsing import mask_text, normalise_email, normalise_phone, parse_amount
from leads.runtime import lead_store, notify_soon
from leads.store import LeadInput, lead_key

logger = logging.getLogger(__name__)


def _say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, **values: str) -> None:
    knowledge = store.current()
    text = knowledge.message(key, **values) if values else knowledge.message(key)
    dispatcher.utter_message(text=in_script(text, read_turn(tracker).script))


def _reset() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in form.LEAD_SLOTS] + [SlotSet("requested_slot", None)]


class ValidateLeadForm(FormValidationAction):
    """Checks each answer; a question instead of an answer is answered, then re-asked."""

    def name(self) -> Text:
        return "validate_lead_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot("lead_consent") == "no":
            return ["lead_consent"]  # refused: ask nothing more, store nothing
        return domain_slots

    def _interrupted(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """Answer a question asked mid-form (and say the form goes on)."""
        text = str(value or "")
        if not form.looks_like_question(text):
            return False
        knowledge = store.current()
        turn = read_turn(tracker)
        # The same decisions as any answer (scope, follow-ups, honesty), without the search
        # path's inbox note: the investor is mid-form, not stuck.
        reply = dialogue.respond(knowledge, understanding(turn, tracker))
        send(dispatcher, localise(reply, turn.script))
        _say(dispatcher, tracker, "lead_resume")
        return True

    def _text(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if self._interrupted(value, dispatcher, tracker):
            return {slot: None}
        text = form.tidy(str(value or ""))
        if not text:
            return {slot: None}
        if len(text) > form.LIMITS[slot]:
            _say(dispatcher, tracker, "lead_too_long", limit=str(form.LIMITS[slot]))
            return {slot: None}
        return {slot: text}

    async def validate_lead_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if self._interrupted(value, dispatcher, tracker):
            return {"lead_consent": None}
        answer = form.consent_answer(str(value or ""))
        if answer is None:
            _say(dispatcher, tracker, "lead_consent_unclear")
            return {"lead_consent": None}
        return {"lead_consent": "yes" if answer else "no"}

    async def validate_lead_company(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._text("lead_company", value, dispatcher, tracker)

    async def validate_lead_industry(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = self._text("lead_industry", value, dispatcher, tracker)
        if result["lead_industry"]:
            result["lead_industry"] = form.match_industry(result["lead_industry"])
        return result

    async def validate_lead_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = self._text("lead_amount", value, dispatcher, tracker)
        if result["lead_amount"] is None:
            return result
        amount = parse_amount(result["lead_amount"])
        if amount is None:
            _say(dispatcher, tracker, "lead_bad_amount")
            return {"lead_amount": None}
        return {"lead_amount": amount.text, "lead_amount_yuan": amount.yuan, "lead_amount_currency": amount.currency}

    async def validate_lead_land(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not form.looks_like_question(str(value or "")) and form.is_unsure(str(value or "")):
            return {"lead_land": "暂不确定"}
        return self._text("lead_land", value, dispatcher, tracker)

    async def validate_lead_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._text("lead_name", value, dispatcher, tracker)

    async def validate_lead_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = self._text("lead_contact", value, dispatcher, tracker)
        text = result["lead_contact"]
        if text is None:
            return result
        contact = normalise_phone(text) or normalise_email(text)
        if contact is None:
            _say(dispatcher, tracker, "lead_bad_contact")
            return {"lead_contact": None}
        return {"lead_contact": contact}


def lead_from_slots(tracker: Tracker) -> LeadInput:
    contact = tracker.get_slot("lead_contact") or ""
    amount = parse_amount(tracker.get_slot("lead_amount") or "")
    return LeadInput(
        channel=tracker.get_latest_input_channel() or "unknown",
        conversation_id=tracker.sender_id,
        company=tracker.get_slot("lead_company") or "",
        industry=tracker.get_slot("lead_industry") or "",
        amount=amount,
        land_need=tracker.get_slot("lead_land") or "",
        contact_name=tracker.get_slot("lead_name") or "",
        phone=normalise_phone(contact),
        email=None if normalise_phone(contact) else normalise_email(contact),
    )


class ActionSubmitLead(Action):
    """Store the completed form once (idempotent), tell staff, thank the investor."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("lead_consent") != "yes":
            _say(dispatcher, tracker, "lead_not_saved_no_consent")
            return _reset()
        try:
            lead = lead_from_slots(tracker)
            if lead.amount is None or not (lead.phone or lead.email):
                raise ValueError("incomplete lead reached submit")
            stored, created = await asyncio.get_event_loop().run_in_executor(
                None, lambda: lead_store().add_lead(lead, lead_key(tracker.sender_id, lead))
            )
        except Exception as error:  # keep the slots: the investor can submit again
            logger.error("lead.store_failed error=%s", mask_text(str(error)))
            _say(dispatcher, tracker, "lead_save_failed")
            return []
        if created:
            logger.info("lead.stored id=%s channel=%s", stored.id, lead.channel)
            notify_soon()
            contact = "手机" if lead.phone else "邮箱"
            _say(
                dispatcher,
                tracker,
                "lead_saved",
                number=str(stored.id),
                company=lead.company,
                industry=lead.industry,
                amount=lead.amount.text,
                contact=contact,
            )
        else:
            logger.info("lead.duplicate id=%s", stored.id)
            _say(dispatcher, tracker, "lead_duplicate", number=str(stored.id))
        return _reset()


class ActionCancelLead(Action):
    def name(self) -> Text:
        return "action_cancel_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        _say(dispatcher, tracker, "lead_cancelled")
        return _reset()


class ActionCorrectLead(Action):
    """ "电话写错了": empty that answer, so the form asks it again next."""

    def name(self) -> Text:
        return "action_correct_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        slot: Optional[str] = form.field_to_correct(read_turn(tracker).text)
        if slot is None:
            _say(dispatcher, tracker, "lead_correct_which")
            return []
        _say(dispatcher, tracker, "lead_correct_ok")
        events = [SlotSet(slot, None)]
        if slot == "lead_amount":
            events += [SlotSet("lead_amount_yuan", None), SlotSet("lead_amount_currency", None)]
        return events
