use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the state database: {0}")]
    Open(String),
    #[error("state database error: {0}")]
    Db(String),
    #[error("corrupt record {key} in the state database: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("cannot encode a record: {0}")]
    Encode(String),
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.to_string())
            }
        }
    )*};
}

from_redb!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
