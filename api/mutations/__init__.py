"""The root Mutation type, assembled from one class per family of mutations."""

from __future__ import annotations

import strawberry

from api.mutations.activity import ActivityMutations
from api.mutations.network import NetworkMutations
from api.mutations.registration import RegistrationMutations
from api.mutations.review import ReviewMutations
from api.mutations.self_service import SelfServiceMutations
from api.mutations.sign_in import SignInMutations
from api.mutations.support import SupportMutations
from api.mutations.targets import TargetMutations
from api.mutations.training import TrainingMutations


@strawberry.type(
    description="Changes to the registry. Each is one transaction with its audit event; "
    "expected failures are members of the result union."
)
class Mutation(
    NetworkMutations,
    ReviewMutations,
    RegistrationMutations,
    SelfServiceMutations,
    SignInMutations,
    ActivityMutations,
    TrainingMutations,
    SupportMutations,
    TargetMutations,
):
    pass
