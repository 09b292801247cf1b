"""Forms the store's admin actions ask for (``saas.admin.extras.form_action``): a reason."""

from __future__ import annotations

from django import forms


class ReasonForm(forms.Form):
    """The reason of a rejection (shown to the seller or the buyer); the service checks it again."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=2000)
