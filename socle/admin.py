from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import JournalAudit, User


@admin.register(User)
class RorUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("ROR", {"fields": ("rpps", "telephone", "fonction", "cgu_version",
                                                           "cgu_acceptees_le")}),)
    list_display = ("username", "email", "first_name", "last_name", "is_active", "last_login")


@admin.register(JournalAudit)
class JournalAuditAdmin(admin.ModelAdmin):
    list_display = ("quand", "acteur", "action", "cible")
    list_filter = ("action",)
    readonly_fields = [f.name for f in JournalAudit._meta.fields]
