"""Included by config/urls.py only when ``settings.HOUQIN_BENCH`` is on."""

from django.urls import path

from logistics.bench import views

urlpatterns = [
    path("hello/", views.hello, name="bench_hello"),
    path("table/", views.table, name="bench_table"),
    path("layout/", views.layout, name="bench_layout"),
]
