agencies-title = Agencies
agencies-intro = Agencies arranged by supervision: a supervising agency oversees the personal-data protection of the agencies under it. Choose an agency to see the personal-data files it holds.
agencies-none = No agency is registered yet.
agency-code = Agency code
agency-kind = Kind of agency
agency-supervisors = Supervising agencies
agency-no-supervisor = None (top level)
agency-intelligence = This is an intelligence agency: under Article 21-5 of the Act, the supervision rules of Articles 21-1 to 21-4 do not apply to it.
agency-subordinates = Agencies under it
agency-no-subordinates = No agencies under it.
agency-contact = Personal-data contact window
agency-files = Personal-data files it holds
agency-files-total = { $count ->
    [one] { $shown } file.
   *[other] { $shown } files.
}
agency-files-in-register = Filter the register by this agency
