# The public register of requests between agencies for use outside a file's specific purposes
# (PDPA Art. 16 proviso).

requests-title = { $file }: approved uses outside its purposes
requests-intro = Other agencies (or the holding agency itself) may ask to use this file's data outside its registered specific purposes under the proviso of PDPA Art. 16 (Art. 6 for sensitive data). These are the requests the holding agency approved: who asked, for what purpose, on which legal basis, which data, how many people, and when it was decided.
requests-footprint = When the data is delivered, each person's footprint records one disclosure, with the same reference as in the table below.
requests-heading = Approved requests
requests-none = No request to use this file outside its purposes has been approved.
requests-caption = { $count ->
    [one] One approved request
   *[other] { $count } approved requests
  }, newest request first
requests-requester = Requesting agency
requests-purpose = Purpose of the use
requests-basis = Legal basis
requests-citation = Citation:{" "}
requests-categories = Data categories
requests-people-heading = People
requests-people = { $n } people
requests-people-described = Described in words, no number given
requests-decided-on = Decided on
requests-status = Status
requests-approved = Approved, not yet delivered
requests-approved-in-part = Approved in part, not yet delivered
requests-delivered = Delivered on { $date }
requests-released = Released as a bulk extract on { $date }
requests-api = The same data as JSON:
requests-link = See the approved requests from agencies to use it outside its purposes
