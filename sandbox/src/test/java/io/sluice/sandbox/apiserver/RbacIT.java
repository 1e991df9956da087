package io.sluice.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.Kubectl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests authorised against the Roles and bindings stored in the sandbox, driven through kubectl. */
class RbacIT {

    @RegisterExtension
    static final TestApiServer SERVER = new TestApiServer("other", "secrets");

    static Kubectl admin;
    static Kubectl jane;
    static Kubectl robot;

    @BeforeAll
    static void start() throws Exception {
        admin = SERVER.admin();
        jane = SERVER.kubectl("jane", List.of("developers"));
        robot = SERVER.kubectl(
                "system:serviceaccount:test:robot", List.of("system:serviceaccounts", "system:serviceaccounts:test"));
        admin.run("create", "namespace", "test").ok();
        for (String ns : List.of("test", "other")) {
            admin.run("-n", ns, "create", "configmap", "allowed", "--from-literal=a=b")
                    .ok();
            admin.run("-n", ns, "create", "configmap", "secret-ish", "--from-literal=a=b")
                    .ok();
        }
        admin.run("-n", "test", "create", "deployment", "web", "--image=nginx").ok();
        Path rbac = SERVER.dir().resolve("rbac.yaml");
        Files.writeString(rbac, """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: reader, namespace: test}
        rules:
          - apiGroups: [""]
            resources: ["configmaps"]
            verbs: ["get", "list", "watch"]
          - apiGroups: ["apps"]
            resources: ["deployments/status"]
            verbs: ["get", "patch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: jane-reads, namespace: test}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
        subjects:
          - {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
          - {kind: ServiceAccount, name: robot, namespace: test}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: one-configmap}
        rules:
          - apiGroups: [""]
            resources: ["configmaps"]
            resourceNames: ["allowed"]
            verbs: ["get"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: developers-one-configmap}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: one-configmap}
        subjects:
          - {kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}
        """);
        admin.run("apply", "-f", rbac.toString()).ok();
    }

    @Test
    void aRoleBindingGrantsItsRulesInItsNamespaceOnly() {
        assertThat(jane.run("-n", "test", "get", "configmaps").ok().out()).contains("allowed", "secret-ish");
        Kubectl.Result other = jane.run("-n", "other", "get", "configmaps");
        assertThat(other.exit()).isNotZero();
        assertThat(other.err())
                .contains("configmaps is forbidden: User \"jane\" cannot list resource \"configmaps\" in API "
                        + "group \"\" in the namespace \"other\"");
        Kubectl.Result create = jane.run("-n", "test", "create", "configmap", "mine", "--from-literal=a=b");
        assertThat(create.exit()).isNotZero();
        assertThat(create.err())
                .contains("configmaps is forbidden: User \"jane\" cannot create resource \"configmaps\"");
    }

    @Test
    void aClusterRoleBindingToAGroupHonoursResourceNames() {
        jane.run("-n", "other", "get", "configmap", "allowed").ok();
        Kubectl.Result named = jane.run("-n", "other", "get", "configmap", "secret-ish");
        assertThat(named.exit()).isNotZero();
        assertThat(named.err())
                .contains("configmaps \"secret-ish\" is forbidden: User \"jane\" cannot get resource "
                        + "\"configmaps\" in API group \"\" in the namespace \"other\"");
    }

    @Test
    void aSubresourceRuleGrantsTheSubresourceOnly() {
        jane.run(
                        "-n",
                        "test",
                        "patch",
                        "deployment",
                        "web",
                        "--subresource=status",
                        "--type=merge",
                        "-p",
                        "{\"status\":{\"observedGeneration\":1}}")
                .ok();
        Kubectl.Result main = jane.run(
                "-n", "test", "patch", "deployment", "web", "--type=merge", "-p", "{\"spec\":{\"replicas\":2}}");
        assertThat(main.exit()).isNotZero();
        // kubectl reads the object before patching it; the Role grants only the status subresource.
        assertThat(main.err())
                .contains("deployments.apps \"web\" is forbidden: User \"jane\" cannot get resource "
                        + "\"deployments\" in API group \"apps\" in the namespace \"test\"");
    }

    @Test
    void aServiceAccountIsBoundByNameAndNamespaceAlsoWhenImpersonated() {
        robot.run("-n", "test", "get", "configmaps").ok();
        assertThat(robot.run("-n", "other", "get", "configmaps").exit()).isNotZero();
        admin.run("-n", "test", "get", "configmaps", "--as=system:serviceaccount:test:robot")
                .ok();
        assertThat(admin.run("get", "namespaces", "--as=system:serviceaccount:test:robot")
                        .err())
                .contains("namespaces is forbidden: User \"system:serviceaccount:test:robot\" cannot list resource "
                        + "\"namespaces\" in API group \"\" at the cluster scope");
    }

    @Test
    void theAdministratorKeepsClusterAdmin() {
        admin.run("-n", "other", "create", "configmap", "by-admin", "--from-literal=a=b")
                .ok();
        admin.run("get", "clusterroles").ok();
    }
}
