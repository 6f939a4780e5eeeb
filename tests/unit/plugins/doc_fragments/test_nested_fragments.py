"""The nested doc fragments are literal copies (ansible-test reads fragments as plain strings, so they cannot be
computed); these tests keep each copy equal to the options it nests."""

import yaml

from ansible_collections.kubeguard.netsec.plugins.doc_fragments.alicloud import ModuleDocFragment as Alicloud
from ansible_collections.kubeguard.netsec.plugins.doc_fragments.k8s_connection import ModuleDocFragment as K8s
from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.spec import alicloud_argument_spec


def _retarget(option: dict, prefix: str) -> dict:
    """An option's documentation with its O(name) references made relative to ``prefix``."""
    return yaml.safe_load(yaml.safe_dump(option).replace("O(", f"O({prefix}."))


def test_the_nested_alicloud_options_are_the_top_level_ones():
    top = yaml.safe_load(Alicloud.DOCUMENTATION)
    nested = yaml.safe_load(Alicloud.NESTED)
    assert nested["options"]["alicloud"]["suboptions"] == {
        name: _retarget(option, "alicloud") for name, option in top["options"].items()
    }
    assert nested["requirements"] == top["requirements"]
    assert set(nested["options"]["alicloud"]["suboptions"]) == set(alicloud_argument_spec())


def test_each_client_cluster_connection_has_the_kubernetes_options():
    kubernetes = yaml.safe_load(K8s.NESTED)["options"]["kubernetes"]["suboptions"]
    clients = yaml.safe_load(K8s.CLIENT_CLUSTERS)["options"]["client_clusters"]["suboptions"]
    assert clients["kubernetes"]["suboptions"] == kubernetes and clients["kubernetes"]["required"] is True
