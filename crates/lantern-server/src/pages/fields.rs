//! Form fields as view-models for the `text_field` and `select_field` macros of
//! `templates/macros.html`: labelled, filled with what the reader sent, carrying their error.

/// A labelled text input.
pub(crate) struct TextField {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    pub(crate) hint: String,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
}

/// A labelled select.
pub(crate) struct SelectField {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    pub(crate) hint: String,
    pub(crate) options: Vec<Opt>,
    pub(crate) error: Option<String>,
}

/// One option of a select.
pub(crate) struct Opt {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}
