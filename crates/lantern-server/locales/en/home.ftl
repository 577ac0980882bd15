home-title = Start
home-heading = What personal data does the government hold about you?
home-intro = Lantern publishes the personal-data files that agencies register: what data they hold, for what purpose, and under which law. It also tells you how to see, stop the use of, or delete your data.
home-search-label = Search the personal-data files
home-search-hint = Type words from a file's name or description, for example "health insurance" or "household".
home-stats-heading = Registered so far
home-stat-files = { $count ->
    [one] personal-data file
   *[other] personal-data files
}
home-stat-large = { $count ->
    [one] large database
   *[other] large databases
}
home-stat-agencies = { $count ->
    [one] agency
   *[other] agencies
}
home-start-heading = Start here
home-link-large = See every large database
home-link-sensitive = See files with sensitive data (medical, genetic and more)
home-link-agencies = Browse by agency
home-rights = Under the Personal Data Protection Act you can ask the agency that holds your data to let you see it, give you a copy, correct or complete it, stop collecting, processing or using it, or delete it. Each file's page says which contact window to ask.
home-demo-heading = Try the staff pages
home-demo-intro = This is a demonstration site: anyone may log in with the demo accounts below. Every account's password is
home-demo-list = List of demo accounts
home-demo-login = Go to the staff login
