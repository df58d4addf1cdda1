from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .feeds import PostsAtom, PostsRss
from .sitemaps import SITEMAPS

app_name = "insights"

urlpatterns = [
    path("insights/", views.index, name="index"),
    path("insights/feed/rss/", PostsRss(), name="rss"),
    path("insights/feed/atom/", PostsAtom(), name="atom"),
    path("insights/minerals/<slug:slug>/", views.mineral_page, name="mineral"),
    path("insights/segments/<slug:slug>/", views.segment_page, name="segment"),
    path("insights/images/<int:pk>/", views.body_image, name="image"),
    path("insights/<slug:slug>/", views.detail, name="detail"),
    path("insights/<slug:slug>/hero/", views.hero, name="hero"),
    path("insights/<slug:slug>/json/", views.detail_json, name="json"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
