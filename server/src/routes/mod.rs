//! HTTP routes outside the Leptos pages: health and, later, the REST API.

pub mod health;
