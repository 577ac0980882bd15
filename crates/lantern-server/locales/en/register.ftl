register-title = Register of personal-data files
register-intro = The personal-data files agencies publish under Article 17 of the Personal Data Protection Act. Search by keyword, or filter by agency, purpose or data category.
register-form-label = Search and filter
register-more-filters = More filters
register-more-filters-applied = { $count ->
    [one] More filters (1 applied)
   *[other] More filters ({ $count } applied)
}
register-applied-heading = Filters in force
register-applied-filter = { $name }: { $value }
register-remove-filter = Remove
register-submit = Search
register-clear = Clear all filters
register-errors-heading = Some filters need correcting
register-total = { $count ->
    [one] { $shown } file matches
   *[other] { $shown } files match
}
register-range = Showing { $from } to { $to }
register-none = No file matches. Try fewer filters or other words.
register-past-end = This page is past the end of the results.
register-first-page = Back to the first page

filter-q = Keywords
filter-q-hint = Matched against file names and descriptions, for example "insurance".
filter-agency = Holding agency
filter-any-agency = All agencies
filter-purpose-legend = Purpose
filter-purpose = Choose from the list
filter-any-purpose = All purposes
filter-purpose-code = Or type a code
filter-purpose-code-hint = Three digits, for example 031. Codes missing from the list work too.
filter-category-legend = Data category
filter-category = Choose from the list
filter-any-category = All data categories
filter-category-code = Or type a code
filter-category-code-hint = C and three digits, for example C001.
filter-sensitive = Holds sensitive data
filter-large = Large database
filter-any = Any
filter-yes = Yes
filter-no = No

filter-error-text-too-long = Keywords can be at most { $max } characters.
filter-error-agency-format = That agency code is not well formed; choose an agency from the list.
filter-error-agency-unknown = There is no agency with the code "{ $code }"; choose an agency from the list.
filter-error-purpose-both = The purpose chosen from the list and the code typed differ; keep only one.
filter-error-purpose-format = A purpose code is three digits from 001 to 182, for example 031.
filter-error-category-both = The category chosen from the list and the code typed differ; keep only one.
filter-error-category-format = A data-category code is C and three digits (C001 to C199), for example C001.
filter-error-yes-no = Choose "Any", "Yes" or "No".
filter-error-offset = The page parameter is not valid; start again from the first page.
