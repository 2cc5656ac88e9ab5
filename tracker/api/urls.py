from django.urls import path
from rest_framework.routers import SimpleRouter

from tracker.api import views

router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("member-states/", views.MemberStateList.as_view(), name="api-member-states"),
    path("reports/summary/", views.SummaryView.as_view(), name="api-summary"),
    path("reports/backlog/", views.BacklogView.as_view(), name="api-backlog"),
    path("reports/figures/", views.FiguresView.as_view(), name="api-figures"),
    path("reports/figures/charts/", views.ChartsView.as_view(), name="api-figure-charts"),
    path("briefs/", views.BriefList.as_view(), name="api-briefs"),
    path("iati/activities.xml", views.IatiActivitiesView.as_view(), name="api-iati"),
    *router.urls,
]
