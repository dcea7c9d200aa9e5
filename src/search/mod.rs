pub(crate) mod text;
