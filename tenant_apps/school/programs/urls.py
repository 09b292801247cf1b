"""``/api/v1/`` routes of the programs app (school sites only): one viewset class per program
type and per enrolment type, each named by ``models.ProgramType``."""

from rest_framework.routers import SimpleRouter

from tenant_apps.school.programs.models import BOOTCAMPS, COURSES
from tenant_apps.school.programs.views import (
    AdvancedCourseEnrolmentViewSet,
    AdvancedCourseViewSet,
    BootcampEnrolmentViewSet,
    BootcampViewSet,
)

router = SimpleRouter(use_regex_path=False)
router.register(BOOTCAMPS.path, BootcampViewSet, basename=BOOTCAMPS.key)
router.register(COURSES.path, AdvancedCourseViewSet, basename=COURSES.key)
router.register(BOOTCAMPS.enrolment_path, BootcampEnrolmentViewSet, basename=f"{BOOTCAMPS.key}-enrolment")
router.register(COURSES.enrolment_path, AdvancedCourseEnrolmentViewSet, basename=f"{COURSES.key}-enrolment")
urlpatterns = router.urls
