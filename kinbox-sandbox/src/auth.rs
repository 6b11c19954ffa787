//! The bearer token check.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::error::ApiError;

/// Which bearer tokens the sandbox accepts.
#[derive(Clone, Debug)]
pub(crate) enum TokenPolicy {
    /// Any non-empty token, so that any configured client works.
    AnyNonEmpty,
    /// Only this one, to test what a client does with a wrong token.
    Exactly(String),
}

impl TokenPolicy {
    pub(crate) fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty());
        let refusal = match (token, self) {
            (None, _) => "no bearer token: send the header `Authorization: Bearer <token>`",
            (Some(_), TokenPolicy::AnyNonEmpty) => return Ok(()),
            (Some(token), TokenPolicy::Exactly(expected)) if token == expected => return Ok(()),
            (Some(_), TokenPolicy::Exactly(_)) => {
                "wrong bearer token: use the token the sandbox printed at start (KINBOX_TOKEN=…)"
            }
        };
        Err(ApiError::new(StatusCode::UNAUTHORIZED, refusal)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn any_non_empty_bearer_token_passes_by_default() {
        let policy = TokenPolicy::AnyNonEmpty;
        assert!(policy.check(&with_authorization("Bearer abc")).is_ok());
        assert!(policy.check(&with_authorization("bearer abc")).is_ok());
        for refused in ["Bearer ", "Bearer", "Basic abc", "abc"] {
            let error = policy.check(&with_authorization(refused)).unwrap_err();
            assert_eq!(error.status(), StatusCode::UNAUTHORIZED, "{refused}");
        }
        assert!(policy.check(&HeaderMap::new()).is_err());
    }

    #[test]
    fn a_fixed_token_refuses_others() {
        let policy = TokenPolicy::Exactly("s3cret".to_owned());
        assert!(policy.check(&with_authorization("Bearer s3cret")).is_ok());
        assert!(policy.check(&with_authorization("Bearer other")).is_err());
    }
}
