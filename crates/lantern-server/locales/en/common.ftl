# The layout, navigation, error pages and small shared words.

site-brand = Lantern
site-tagline = Personal Data Footprint
page-title = { $page } - Lantern
skip-to-content = Skip to main content
lang-switch-label = English
nav-label = Main menu
nav-files = Personal-data files
nav-agencies = Agencies
footer-about = Lantern publishes the personal-data files that government agencies hold, so everyone can see where their data is and why it is used.
footer-staff = Agency staff login
footer-api = Open data API (OpenAPI)
demo-banner-title = Demonstration site:{" "}
demo-banner-text = every agency record, file and figure here is invented demo data, not real government data.

title-with-errors = Error: { $title }
error-prefix = Error:
error-reasons-heading = What went wrong
error-go-home = Go to the start page
error-go-register = Browse the register of personal-data files
error-not-found-heading = Page not found
error-not-found-explanation = The address may be mistyped, or the record no longer exists. Check the address, or search the register again.
error-bad-request-heading = This request cannot be handled
error-bad-request-explanation = The address or form contains something we cannot read. Please correct it as described below and try again.
error-forbidden-heading = Not allowed
error-forbidden-explanation = You need to log in as agency staff to see this page.
error-method-not-allowed-heading = This address cannot be used that way
error-method-not-allowed-explanation = This address does not accept this kind of request. Please use the links and forms on the site.
error-unavailable-heading = Temporarily unavailable
error-unavailable-explanation = The system cannot read its data right now. Please try again later.
error-internal-heading = Something went wrong
error-internal-explanation = Sorry, the system had a problem, and it has been recorded. Please try again later.

list-separator = {", "}
open-paren = {" ("}
close-paren = )
search-button = Search

contact-unit = Contact window
contact-phone = Phone
contact-email = Email
contact-address = Address

badge-large = Large database
badge-sensitive = Sensitive data
row-agency = Held by:{" "}
row-purposes = Purposes:{" "}

pagination-label = Pages
pagination-prev = Previous page
pagination-next = Next page
toc-heading = On this page
