# Wrong: never reads the tasks as someone else, so an app where anyone logged in reads anyone's tasks passes too.
# Expect: read another user's tasks, and expect 403
class OwnershipTest(TodoTestCase):
    def test_only_the_owner_reads_the_tasks(self):
        ada = self.account("ada")
        path = "/api/v1/accounts/ada/tasks"
        self.assertEqual(self.fetch(path, headers=ada).code, 200)
        self.assertEqual(self.fetch(path).code, 401)
