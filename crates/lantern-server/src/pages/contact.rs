//! How to reach an agency or a file's contact window, with links only where a value is safe
//! to be one.

use lantern_domain::Contact;

/// How to reach someone. Links only for values that are safe as links.
pub(crate) struct ContactView {
    pub(crate) unit: String,
    pub(crate) phone: String,
    /// `tel:` link, digits only.
    pub(crate) phone_href: String,
    pub(crate) email: String,
    /// `mailto:` link when the address has an e-mail's shape.
    pub(crate) email_href: Option<String>,
    pub(crate) address: String,
}

impl ContactView {
    /// Maps a contact, making links only of values that are safe as links.
    pub(crate) fn new(contact: &Contact) -> Self {
        // The number up to any extension (「#12」, 「分機 12」): a `tel:` link dials only that.
        let phone_digits: String = contact
            .phone
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        let email = contact.email.trim();
        let email_ok = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && email
                    .chars()
                    .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '?' | '&'))
        });
        Self {
            unit: contact.unit.clone(),
            phone: contact.phone.clone(),
            phone_href: if phone_digits.is_empty() {
                String::new()
            } else {
                format!("tel:{phone_digits}")
            },
            email: email.to_owned(),
            email_href: email_ok.then(|| format!("mailto:{email}")),
            address: contact.address.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_links() {
        let contact = Contact {
            unit: "窗口".into(),
            phone: "02-2706-5866 #12".into(),
            email: "a@b.gov.tw".into(),
            address: String::new(),
        };
        let view = ContactView::new(&contact);
        assert_eq!(view.phone_href, "tel:0227065866");
        assert_eq!(view.email_href.as_deref(), Some("mailto:a@b.gov.tw"));
        let odd = ContactView::new(&Contact {
            email: "x@y.tw?cc=z".into(),
            ..contact
        });
        assert_eq!(odd.email_href, None);
    }
}
