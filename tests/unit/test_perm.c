/* The Unix permission rule monfs applies to its own nodes. */
#include <criterion/criterion.h>
#include <errno.h>

#include "lib/perm.h"

static const struct caller root = {.uid = 0, .gid = 0};
static const struct caller owner = {.uid = 1000, .gid = 1000};
static const struct caller member = {
	.uid = 1001, .gid = 1001, .groups = {1000}, .ngroups = 1};
static const struct caller other = {.uid = 1002, .gid = 1002};

static struct node_attr file(mode_t mode)
{
	return (struct node_attr){1000, 1000, mode, 0, 0};
}

Test(perm, each_class_gets_its_own_bits)
{
	struct node_attr a = file(0640);

	cr_assert(perm_allows(&owner, &a, false, PERM_READ | PERM_WRITE));
	cr_assert(perm_allows(&member, &a, false, PERM_READ));
	cr_assert_not(perm_allows(&member, &a, false, PERM_WRITE));
	cr_assert_not(perm_allows(&other, &a, false, PERM_READ));
}

Test(perm, the_first_matching_class_decides_even_if_it_has_less)
{
	/* Owner bits 0, others rw: the owner is still refused, as on Linux. */
	struct node_attr a = file(0066);

	cr_assert_not(perm_allows(&owner, &a, false, PERM_READ));
	cr_assert(perm_allows(&other, &a, false, PERM_READ | PERM_WRITE));
}

Test(perm, supplementary_groups_count)
{
	cr_assert(perm_in_group(&member, 1000));
	cr_assert(perm_in_group(&member, 1001));
	cr_assert_not(perm_in_group(&other, 1000));
}

Test(perm, root_bypasses_mode_bits_but_needs_an_x_bit_to_execute)
{
	cr_assert(perm_allows(&root, &(struct node_attr){5, 5, 0, 0, 0}, false,
			      PERM_READ | PERM_WRITE));
	cr_assert_not(perm_allows(&root, &(struct node_attr){5, 5, 0644, 0, 0},
				  false, PERM_EXEC));
	cr_assert(perm_allows(&root, &(struct node_attr){5, 5, 0744, 0, 0},
			      false, PERM_EXEC));
	cr_assert(perm_allows(&root, &(struct node_attr){5, 5, 0, 0, 0}, true,
			      PERM_EXEC));
}

Test(perm, the_sticky_bit_keeps_others_entries)
{
	struct node_attr tmp = {0, 0, 01777, 0, 0};
	struct node_attr open_dir = {0, 0, 0777, 0, 0};

	cr_assert(perm_may_delete(&owner, &tmp, 1000));
	cr_assert_not(perm_may_delete(&other, &tmp, 1000));
	cr_assert(perm_may_delete(&root, &tmp, 1000));
	cr_assert(perm_may_delete(&other, &open_dir, 1000));
	/* The directory's owner may delete in it. */
	cr_assert(perm_may_delete(
		&owner, &(struct node_attr){1000, 1000, 01777, 0, 0}, 1002));
}

Test(perm, deleting_needs_write_and_search_on_the_directory)
{
	cr_assert_not(perm_may_delete(
		&other, &(struct node_attr){0, 0, 0775, 0, 0}, 1002));
	cr_assert_not(perm_may_delete(
		&owner, &(struct node_attr){1000, 1000, 0600, 0, 0}, 1000));
}

Test(perm, a_write_drops_set_user_id_and_executable_set_group_id)
{
	struct node_attr all = file(06777), suid = file(04666);
	struct node_attr plain = file(0666), own_exec = file(06755);

	cr_assert_eq(perm_write_drops(&other, &all), (mode_t)06000);
	cr_assert_eq(perm_write_drops(&other, &suid), (mode_t)04000);
	cr_assert_eq(perm_write_drops(&other, &plain), (mode_t)0);
	/* The owner's own write drops them too, as on Linux. */
	cr_assert_eq(perm_write_drops(&owner, &own_exec), (mode_t)06000);
}

Test(perm, set_group_id_without_group_execute_stays_for_members_only)
{
	struct node_attr a = file(02666);

	cr_assert_eq(perm_write_drops(&member, &a), (mode_t)0);
	cr_assert_eq(perm_write_drops(&owner, &a), (mode_t)0);
	cr_assert_eq(perm_write_drops(&other, &a), (mode_t)02000);
}

Test(perm, root_writes_keep_the_set_id_bits)
{
	struct node_attr a = file(06777);

	cr_assert_eq(perm_write_drops(&root, &a), (mode_t)0);
}

Test(perm, chmod_outside_the_group_drops_set_group_id)
{
	/* The owner, not in the file's group 1001. */
	struct node_attr outside = {1000, 1001, 0755, 0, 0};
	struct node_attr inside = file(0755);

	cr_assert_eq(perm_chmod_mode(&owner, &outside, 06755), (mode_t)04755);
	cr_assert_eq(perm_chmod_mode(&root, &outside, 06755), (mode_t)06755);
	cr_assert_eq(perm_chmod_mode(&owner, &inside, 06755), (mode_t)06755);
}

Test(perm, explicit_times_need_ownership_now_needs_write_permission)
{
	struct node_attr open_file = file(0666), closed_file = file(0644);
	struct node_attr no_bits = file(0);

	cr_assert_eq(perm_may_set_times(&other, &open_file, false, false),
		     -EPERM);
	cr_assert_eq(perm_may_set_times(&other, &open_file, false, true), 0);
	cr_assert_eq(perm_may_set_times(&other, &closed_file, false, true),
		     -EACCES);
	cr_assert_eq(perm_may_set_times(&owner, &no_bits, false, false), 0);
	cr_assert_eq(perm_may_set_times(&root, &closed_file, false, false), 0);
}
