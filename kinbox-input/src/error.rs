//! Why what was typed cannot become a request.

use kinbox_api::KinboxError;

/// Why what a person typed (a flag, a spreadsheet row, a form post) cannot
/// become a request. Nothing was sent in any case: lookups are reads made
/// before the write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A value or a name is wrong: an amount that is not one, a stage no
    /// pipeline has. The message says what would do.
    #[error("{0}")]
    Invalid(String),
    /// What a name, phone or e-mail stands for is not in the workspace (a
    /// contact no one has created yet): the words are right, the data is
    /// missing. The message says how to create it.
    #[error("{0}")]
    NotFound(String),
    /// A file could not be read.
    #[error("{0}")]
    Unreadable(String),
    /// A read made to turn names into ids failed.
    #[error("{what} failed, so nothing was changed: {source}")]
    Lookup {
        what: String,
        /// Boxed: an error is the rare path, and `Result`s of this type
        /// are returned everywhere.
        #[source]
        source: Box<KinboxError>,
    },
}

impl InputError {
    /// [`InputError::Invalid`] with this message.
    pub fn invalid(message: impl Into<String>) -> Self {
        InputError::Invalid(message.into())
    }

    /// [`InputError::NotFound`] with this message.
    pub fn not_found(message: impl Into<String>) -> Self {
        InputError::NotFound(message.into())
    }

    /// [`InputError::Unreadable`] with this message.
    pub fn unreadable(message: impl Into<String>) -> Self {
        InputError::Unreadable(message.into())
    }

    /// A failed lookup: `what` says which ("listing the pipelines").
    pub fn lookup(what: &str) -> impl FnOnce(KinboxError) -> Self + '_ {
        move |source| InputError::Lookup {
            what: what.to_owned(),
            source: Box::new(source),
        }
    }
}
