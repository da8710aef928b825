/**
 * Page navigation that fits a 350 px task pane: tabs for the pages that fit, the rest in a
 * "More pages" menu. The open page always stays visible as a tab.
 */
import {
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Overflow,
  OverflowItem,
  Tab,
  TabList,
  makeStyles,
  tokens,
  useIsOverflowItemVisible,
  useOverflowMenu,
} from '@fluentui/react-components';
import { MoreHorizontal20Regular } from '@fluentui/react-icons';
import type { PageEntry } from './pages';

const useStyles = makeStyles({
  nav: { borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, flexShrink: 0, minWidth: 0, overflow: 'hidden' },
  tabs: { minWidth: 0, flexWrap: 'nowrap' },
});

function MoreItem({ page, onSelect }: { page: PageEntry; onSelect: (id: string) => void }) {
  const visible = useIsOverflowItemVisible(page.id);
  if (visible) return null;
  return (
    <MenuItem icon={<page.icon />} onClick={() => onSelect(page.id)}>
      {page.title}
      {page.badge && <page.badge />}
    </MenuItem>
  );
}

function MoreMenu({ pages, onSelect }: { pages: readonly PageEntry[]; onSelect: (id: string) => void }) {
  const { ref, isOverflowing, overflowCount } = useOverflowMenu<HTMLButtonElement>();
  if (!isOverflowing) return null;
  return (
    <Menu hasIcons>
      <MenuTrigger disableButtonEnhancement>
        <Button
          ref={ref}
          appearance="transparent"
          icon={<MoreHorizontal20Regular />}
          aria-label={`More pages (${overflowCount})`}
          title="More pages"
        />
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {pages.map((p) => (
            <MoreItem key={p.id} page={p} onSelect={onSelect} />
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

export function PageNav({ pages, active, onSelect }: { pages: readonly PageEntry[]; active: string; onSelect: (id: string) => void }) {
  const styles = useStyles();
  return (
    <nav className={styles.nav} aria-label="Pages">
      <Overflow minimumVisible={1}>
        <TabList className={styles.tabs} size="small" selectedValue={active} onTabSelect={(_, d) => onSelect(String(d.value))}>
          {pages.map((p) => (
            <OverflowItem key={p.id} id={p.id} priority={p.id === active ? 2 : 1}>
              <Tab value={p.id} icon={<p.icon />}>
                {p.title}
                {p.badge && <p.badge />}
              </Tab>
            </OverflowItem>
          ))}
          <MoreMenu pages={pages} onSelect={onSelect} />
        </TabList>
      </Overflow>
    </nav>
  );
}
