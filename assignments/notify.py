"""Staff emails of the automation (manager queue, SLA breach, follow-up due), each recorded as an event.

The email is sent first and its `email` event appended after, in the
caller's transaction: a send that raises leaves nothing behind and the
periodic job tries again on its next run.
"""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string

from activity.models import ActivityType
from activity.services import activity_append


def staff_email_send(
    *, lead_id: UUID, template: str, to: list[str], subject: str, context: dict[str, Any]
) -> list[str]:
    """Send one email per recipient from templates/emails/<template>.{txt,html}; return who was emailed."""
    full_context = {**context, "company_name": settings.COMPANY_NAME, "site_url": settings.SITE_URL}
    text = render_to_string(f"emails/{template}.txt", full_context)
    html = render_to_string(f"emails/{template}.html", full_context)
    sent = []
    for address in dict.fromkeys(a for a in to if a):
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"Message-ID": make_msgid(domain=str(DNS_NAME))},
        )
        message.attach_alternative(html, "text/html")
        message.send()
        status = getattr(message, "anymail_status", None)
        activity_append(
            lead_id=lead_id,
            type=ActivityType.EMAIL,
            message=f"{subject} (to {address})",
            metadata={
                "template": template,
                "channel": settings.EMAIL_PROVIDER,
                "to": address,
                "subject": subject[:255],
                "provider_message_id": getattr(status, "message_id", None) or message.extra_headers["Message-ID"],
            },
        )
        sent.append(address)
    return sent
