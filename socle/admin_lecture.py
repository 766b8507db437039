from django.contrib import admin


class LectureSeuleAdmin(admin.ModelAdmin):
    """Admin for derived or append-only data: readable for support, never changed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
