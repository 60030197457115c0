//! Which moves the screens offer on a case. The domain's lifecycle table is
//! the one authority; the server applies the same table and refuses the rest.

use desk137_domain::model::Role;
use desk137_proto::v1 as pb;

/// Every move the contract knows, until the domain's table is reachable
/// from here: the server still refuses what the table does not allow.
pub fn allowed_moves(_case: &pb::Case, _role: Role) -> Vec<pb::Move> {
    crate::app::screens::moving::MOVE_ACTIONS
        .iter()
        .map(|(_, m)| *m)
        .collect()
}
