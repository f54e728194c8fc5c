from django.urls import path

from leads.accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/", views.second_factor_home, name="second_factor"),
    path("2fa/enrol/", views.second_factor_enrol, name="enrol"),
    path("2fa/verify/", views.second_factor_verify, name="verify"),
    path("2fa/backup-codes/", views.backup_codes_renew, name="backup_codes"),
]
