{#- Square's Team Sales report: the Sales Summary per location, business day and team member who rang the
    sale up (or took the return). -#}
{{ sales_summary_by('team_member_id') }}
