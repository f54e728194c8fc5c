from django.urls import include, path

from leads.console import board

app_name = "console"

# Two route modules so the lead-work pages and the overview pages grow apart.
urlpatterns = [
    path("", include("leads.console.overview.urls")),
    path("", include("leads.console.lead.urls")),
    path("board/", board.board, name="board"),
    path("board/leads/<uuid:lead_id>/move/", board.board_move, name="board_move"),
]
