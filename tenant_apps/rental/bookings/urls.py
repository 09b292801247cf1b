"""``/api/v1/`` routes of the bookings app (rental sites only; ``tenant_apps/rental/urls.py``)."""

from django.urls import path

from tenant_apps.rental.bookings import views

urlpatterns = [
    path("bookings/", views.BookingListView.as_view(), name="bookings-booking-list"),
    path("bookings/quote/", views.BookingQuoteView.as_view(), name="bookings-quote"),
    path("bookings/<int:pk>/", views.BookingDetailView.as_view(), name="bookings-booking-detail"),
    path("bookings/<int:pk>/pay/", views.BookingPayView.as_view(), name="bookings-booking-pay"),
    path("bookings/<int:pk>/cancel/", views.BookingCancelView.as_view(), name="bookings-booking-cancel"),
]
