"""``/api/v1/`` routes of the files app (every tenant kind): upload, metadata, signed downloads of files
and of bare storage keys (avatars)."""

from django.urls import path

from tenant_apps.files.views import FileDetailView, FileDownloadView, FileUploadView, SignedKeyDownloadView

urlpatterns = [
    path("files/", FileUploadView.as_view(), name="file-upload"),
    path("files/download/", SignedKeyDownloadView.as_view(), name="file-key-download"),
    path("files/<uuid:pk>/", FileDetailView.as_view(), name="file-detail"),
    path("files/<uuid:pk>/download/", FileDownloadView.as_view(), name="file-download"),
]
