/* The Unix permission rule monfs applies to its own nodes. */
#include <criterion/criterion.h>

#include "store/perm.h"

static const struct caller root = {.uid = 0, .gid = 0};
static const struct caller owner = {.uid = 1000, .gid = 1000};
static const struct caller member = {.uid = 1001, .gid = 1001,
				     .groups = {1000}, .ngroups = 1};
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
	cr_assert(perm_may_delete(&owner, &(struct node_attr){1000, 1000,
							      01777, 0, 0},
				  1002));
}

Test(perm, deleting_needs_write_and_search_on_the_directory)
{
	cr_assert_not(perm_may_delete(&other,
				      &(struct node_attr){0, 0, 0775, 0, 0},
				      1002));
	cr_assert_not(perm_may_delete(&owner,
				      &(struct node_attr){1000, 1000, 0600, 0,
							  0},
				      1000));
}
