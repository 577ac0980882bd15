coverage-title = Reporting of usage events
coverage-intro = For every registered personal-data file: when it last reported a use of personal data, and how many uses it reports a day. A file with no event for { $days } days is listed as silent: a gap of months in an access log must never go unnoticed.
coverage-silent-heading = Silent files
coverage-silent-none = Every file is reporting.
coverage-reporting-heading = Files that report
coverage-reporting-none = No file reports usage events yet.
coverage-file = Personal-data file
coverage-agency = Holding agency
coverage-last-event = Last event
coverage-silent-for = Silent for
coverage-never = Never reported
coverage-days-ago = { $days ->
    [one] { $days } day
   *[other] { $days } days
}
coverage-window-events = Events, last { $days } days
coverage-daily-average = Per day
coverage-api = Machine-readable:
nav-coverage = Coverage
