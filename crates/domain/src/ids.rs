//! Record ids. Each kind of record has its own id type, so a person's id cannot be passed where a
//! key-person record's is expected; the number inside is the database's, taken out only to be
//! stored, sent or printed.

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident,)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> $name {
                $name(raw)
            }

            /// The number, for a query parameter, a JSON body or a URL.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> $name {
                $name(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids! {
    /// A registered person (人员).
    PersonId,
    HouseholdId,
    /// A key-person record (重点人员): one episode of control of one person.
    KeyPersonId,
    /// One status change in a key-person record's history.
    StatusEventId,
    UserId,
    TaskId,
    AuditEntryId,
    VenueId,
    /// One check-in at a venue (场所码扫码).
    CheckinId,
    CheckpointId,
    /// One crossing of a checkpoint.
    PassageId,
    FollowUpId,
    InvestigationId,
    /// An epidemic point (疫点) of an investigation.
    PointId,
    /// A close-contact candidate found at a point.
    CandidateId,
    /// A place the case reported in the interview, beside the check-ins.
    ReportedPlaceId,
    ListId,
    /// One row of a comparison list to verify (线索).
    LeadId,
    UploadId,
}
