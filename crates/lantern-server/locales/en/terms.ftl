# Names of codes and fixed values.

code-unlisted = (code { $code }: not yet in this system's list)
code-described = (described by the agency in words; no code applies)
code-examples = for example: { $examples }

basis-first-paragraph = (1)
basis-main = PDPA Art. { $article }{ $first }, main text
basis-paragraph = PDPA Art. { $article }({ $paragraph })
basis-proviso = PDPA Art. { $article }{ $first }, proviso item { $item }
basis-item = PDPA Art. { $article }{ $first }, item { $item }

sensitive-medical-records = medical records
sensitive-medical-care = medical care
sensitive-genetic = genetic data
sensitive-sex-life = sex life
sensitive-health-checkup = health check-ups
sensitive-criminal-record = criminal records

agency-kind-central = Central government agency
agency-kind-local = Local government agency
agency-kind-other = Other public body

open-data-published = Published
open-data-partial = Partly published
open-data-not-published = Not published

field-agency = holding agency
field-name-zh = Chinese name
field-name-en = English name
field-description = description
field-contact = contact
field-legal-basis = legal basis
field-purposes = purposes
field-categories = data categories
field-sensitive = sensitive data
field-large-database = large-database disclosures
field-code = agency code
field-kind = kind of agency
field-supervisor = supervising agency
field-intelligence-agency = intelligence-agency status

actor-user = agency staff member { $name }
actor-token = agency system { $detail }
actor-system = system ({ $what })

count-approx = about { $n }{ $unit ->
    [billion] {" "}billion
    [million] {" "}million
   *[none] {""}
}

role-officer = Officer
role-dpo = Data protection officer
role-agency-admin = Agency account administrator
